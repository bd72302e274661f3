import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';

import { AccountDataRepository } from './account-data.repository';
import { AccountExportService } from './account-export.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { TokenService } from './token.service';

@Module({
  imports: [JwtModule.register({})],
  controllers: [AuthController],
  providers: [AccountDataRepository, AccountExportService, AuthService, TokenService, AuthGuard],
  exports: [AuthService, TokenService, AuthGuard],
})
export class AuthModule {}
