import { Controller, Delete, Get, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { CurrentUser, OptionalUser, Public, Roles, type AuthUser } from '../common/auth-user';
import { ApiZodResponse, ZodBody, ZodParam, ZodQuery } from '../infra/openapi/zod-openapi';

import {
  categoryCreateSchema,
  categoryUpdateSchema,
  limitQuerySchema,
  listProductsQuerySchema,
  popularQuerySchema,
  productCategoryResponseSchema,
  productCreateSchema,
  productResponseSchema,
  productUpdateSchema,
  purchaseResponseSchema,
  purchaseSchema,
  type CategoryCreateInput,
  type CategoryUpdateInput,
  type ListProductsQuery,
  type ProductCreateInput,
  type ProductUpdateInput,
  type PurchaseInput,
} from './products.schemas';
import { ProductsService } from './products.service';

const productId = z.uuid('Invalid product ID format');
const categoryId = z.uuid('Invalid category ID format');
const deletedSchema = z.object({ message: z.string(), id: z.uuid() });

// Static paths are declared before `:id`, so /products/popular is never read as an id.
@ApiTags('products')
@ApiBearerAuth()
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get('categories')
  @Public()
  @ApiZodResponse(200, z.array(productCategoryResponseSchema))
  categories() {
    return this.products.categories();
  }

  @Post('categories')
  @Roles('admin')
  @ApiOperation({ summary: 'Create a category (admin; duplicate name → 409)' })
  @ApiZodResponse(201, productCategoryResponseSchema, 'Created')
  createCategory(@ZodBody(categoryCreateSchema) body: CategoryCreateInput) {
    return this.products.createCategory(body);
  }

  @Put('categories/:id')
  @Roles('admin')
  @ApiZodResponse(200, productCategoryResponseSchema)
  updateCategory(@ZodParam('id', categoryId) id: string, @ZodBody(categoryUpdateSchema) body: CategoryUpdateInput) {
    return this.products.updateCategory(id, body);
  }

  @Delete('categories/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Delete a category (admin); its products stay, uncategorised' })
  @ApiZodResponse(200, deletedSchema)
  deleteCategory(@ZodParam('id', categoryId) id: string) {
    return this.products.deleteCategory(id);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'Products (filters; paging with limit + offset or page)' })
  @ApiZodResponse(200, z.array(productResponseSchema))
  list(@ZodQuery(listProductsQuerySchema) query: ListProductsQuery) {
    return this.products.list(query);
  }

  @Get('popular')
  @Public()
  @ApiOperation({ summary: 'Most purchased available products in the last `days` days' })
  @ApiZodResponse(200, z.array(productResponseSchema))
  popular(@ZodQuery(popularQuerySchema) query: z.output<typeof popularQuerySchema>) {
    return this.products.popular(query.limit, query.days);
  }

  @Get('purchases/history')
  @ApiOperation({ summary: "The user's purchases, newest first" })
  @ApiZodResponse(200, z.array(purchaseResponseSchema))
  history(@CurrentUser() user: AuthUser, @ZodQuery(limitQuerySchema) query: z.output<typeof limitQuerySchema>) {
    return this.products.history(user.id, query.limit);
  }

  @Post('purchase')
  @ApiOperation({
    summary: 'Buy a product: wallet debit, stock decrement and purchase record in one database transaction',
  })
  @ApiZodResponse(201, purchaseResponseSchema, 'Created')
  purchase(@CurrentUser() user: AuthUser, @ZodBody(purchaseSchema) body: PurchaseInput) {
    return this.products.purchase(user.id, body);
  }

  @Get('category/:category_id/products')
  @Public()
  @ApiZodResponse(200, z.array(productResponseSchema))
  byCategory(
    @ZodParam('category_id', categoryId) id: string,
    @ZodQuery(limitQuerySchema) query: z.output<typeof limitQuerySchema>,
  ) {
    return this.products.byCategory(id, query.limit);
  }

  @Get('search/:term')
  @Public()
  @ApiZodResponse(200, z.array(productResponseSchema))
  search(
    @ZodParam('term', z.string().trim().min(1).max(100)) term: string,
    @ZodQuery(limitQuerySchema) query: z.output<typeof limitQuerySchema>,
    @OptionalUser() user?: AuthUser,
  ) {
    return this.products.search(term, query.limit, user?.id);
  }

  @Get(':id')
  @Public()
  @ApiZodResponse(200, productResponseSchema)
  get(@ZodParam('id', productId) id: string) {
    return this.products.get(id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a product (admin; snake_case or camelCase body)' })
  @ApiZodResponse(201, productResponseSchema, 'Created')
  create(@ZodBody(productCreateSchema) body: ProductCreateInput) {
    return this.products.create(body);
  }

  @Put(':id')
  @Roles('admin')
  @ApiZodResponse(200, productResponseSchema)
  update(@ZodParam('id', productId) id: string, @ZodBody(productUpdateSchema) body: ProductUpdateInput) {
    return this.products.update(id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Withdraw a product (admin): marked unavailable, purchase history kept' })
  @ApiZodResponse(200, productResponseSchema)
  remove(@ZodParam('id', productId) id: string) {
    return this.products.remove(id);
  }
}
