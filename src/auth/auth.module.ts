import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';

import { BehavioralModule } from '../behavioral/behavioral.module';
import { FinancialModule } from '../financial/financial.module';

import { AccountDataRepository } from './account-data.repository';
import { AccountExportService } from './account-export.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { LoginThrottleRepository } from './login-throttle.repository';
import { TokenService } from './token.service';
import { UsersRepository } from './users.repository';

@Module({
  imports: [JwtModule.register({}), FinancialModule, BehavioralModule],
  controllers: [AuthController],
  providers: [
    UsersRepository,
    LoginThrottleRepository,
    LoginThrottle,
    AccountDataRepository,
    AccountExportService,
    AuthService,
    TokenService,
    AuthGuard,
  ],
  exports: [AuthService, TokenService, AuthGuard],
})
export class AuthModule {}
