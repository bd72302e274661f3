import { Global, Module } from '@nestjs/common';

import { PrismaService } from './prisma.service';

// Global: the one database client, needed by every module (a per-module import would say nothing).
@Global()
@Module({ providers: [PrismaService], exports: [PrismaService] })
export class PrismaModule {}
