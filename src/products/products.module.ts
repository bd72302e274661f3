import { Module } from '@nestjs/common';

import { FinancialModule } from '../financial/financial.module';

import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';

@Module({
  imports: [FinancialModule],
  controllers: [ProductsController],
  providers: [ProductsService],
})
export class ProductsModule {}
