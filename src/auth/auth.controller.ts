import { Readable } from 'node:stream';

import { Controller, Delete, Get, HttpCode, Patch, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

import { CurrentUser, Public, Roles, type AuthUser } from '../common/auth-user';
import { AuthRateLimited } from '../infra/http/rate-limit';
import { ApiZodResponse, ZodBody, ZodParam, ZodQuery } from '../infra/openapi/zod-openapi';

import { AccountExportService } from './account-export.service';
import {
  changePasswordSchema,
  deleteAccountSchema,
  listUsersQuerySchema,
  loginSchema,
  messageSchema,
  profileResponseSchema,
  profileUpdateSchema,
  registerSchema,
  tokenResponseSchema,
  updateUserSchema,
  userResponseSchema,
  type ChangePasswordInput,
  type DeleteAccountInput,
  type LoginInput,
  type ProfileUpdateInput,
  type RegisterInput,
} from './auth.schemas';
import { AuthService } from './auth.service';

@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly accountExport: AccountExportService,
  ) {}

  @Post('register')
  @Public()
  @AuthRateLimited()
  @ApiOperation({ summary: 'Create an account and sign in' })
  @ApiZodResponse(201, tokenResponseSchema, 'Created')
  register(@ZodBody(registerSchema) body: RegisterInput) {
    return this.auth.register(body);
  }

  @Post('login')
  @Public()
  @AuthRateLimited()
  @HttpCode(200)
  @ApiZodResponse(200, tokenResponseSchema)
  login(@ZodBody(loginSchema) body: LoginInput) {
    return this.auth.login(body);
  }

  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke the presented token' })
  @ApiZodResponse(200, messageSchema)
  async logout(@CurrentUser() user: AuthUser) {
    await this.auth.logout(user);
    return { message: 'Successfully logged out' };
  }

  @Post('logout-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign out on every device: every token issued so far, this one included, is refused' })
  @ApiZodResponse(200, messageSchema)
  async logoutAll(@CurrentUser() user: AuthUser) {
    await this.auth.logoutEverywhere(user);
    return { message: 'Logged out on every device' };
  }

  @Post('change-password')
  @HttpCode(200)
  @AuthRateLimited()
  @ApiOperation({
    summary:
      'Change the password (current password required, 403 when wrong); signs out every other session and returns a fresh token for this one',
  })
  @ApiZodResponse(200, tokenResponseSchema)
  changePassword(@CurrentUser() user: AuthUser, @ZodBody(changePasswordSchema) body: ChangePasswordInput) {
    return this.auth.changePassword(user, body);
  }

  @Get('me')
  @ApiZodResponse(200, userResponseSchema)
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user);
  }

  @Get('profile')
  @ApiZodResponse(200, profileResponseSchema)
  profile(@CurrentUser() user: AuthUser) {
    return this.auth.getProfile(user.id);
  }

  @Put('profile')
  @ApiZodResponse(200, messageSchema.extend({ profile: profileResponseSchema }))
  updateProfile(@CurrentUser() user: AuthUser, @ZodBody(profileUpdateSchema) body: ProfileUpdateInput) {
    return this.auth.updateProfile(user.id, body);
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a valid token for a fresh one (the old one is revoked)' })
  @ApiZodResponse(200, tokenResponseSchema)
  refresh(@CurrentUser() user: AuthUser) {
    return this.auth.refresh(user);
  }

  @Get('export')
  @ApiOperation({
    summary:
      'Download everything held about you (profile, wallet, transactions, imports, purchases, recommendations, feedback, events, segments, predictions) as one JSON document',
  })
  @ApiProduces('application/json')
  @ApiResponse({
    status: 200,
    description: '{"exported_at", "user", "tables": {"<table>": [rows…]}}: every table holding users\' rows, streamed',
    schema: {
      type: 'object',
      properties: {
        exported_at: { type: 'string', format: 'date-time' },
        user: { type: 'object', additionalProperties: true },
        tables: {
          type: 'object',
          additionalProperties: { type: 'array', items: { type: 'object', additionalProperties: true } },
        },
      },
    },
  })
  exportData(@CurrentUser() user: AuthUser, @Res() reply: FastifyReply) {
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="fincoach-export.json"')
      .send(Readable.from(this.accountExport.exportJson(user.id)));
  }

  @Delete('account')
  @AuthRateLimited()
  @ApiOperation({
    summary: 'Delete the account and all of its data; the current password is required in the body (403 when wrong)',
  })
  @ApiZodResponse(200, messageSchema)
  async deleteAccount(@CurrentUser() user: AuthUser, @ZodBody(deleteAccountSchema) body: DeleteAccountInput) {
    await this.auth.deleteAccountReauthenticated(user, body.password);
    return { message: 'Account and all its data deleted' };
  }

  @Get('users')
  @Roles('admin')
  @ApiOperation({ summary: 'List users (admin)' })
  @ApiZodResponse(200, z.array(userResponseSchema))
  listUsers(@ZodQuery(listUsersQuerySchema) query: z.output<typeof listUsersQuerySchema>) {
    return this.auth.listUsers(query);
  }

  @Patch('users/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Activate/deactivate a user or change their role (admin)' })
  @ApiZodResponse(200, userResponseSchema)
  updateUser(@ZodParam('id', z.uuid()) id: string, @ZodBody(updateUserSchema) body: z.output<typeof updateUserSchema>) {
    return this.auth.updateUser(id, body);
  }
}
