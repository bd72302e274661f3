import { Module } from '@nestjs/common';

import { BehavioralModule } from '../behavioral/behavioral.module';
import { FinancialModule } from '../financial/financial.module';

import { ProductsController } from './products.controller';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';

@Module({
  imports: [FinancialModule, BehavioralModule],
  controllers: [ProductsController],
  providers: [ProductsRepository, ProductsService],
})
export class ProductsModule {}
