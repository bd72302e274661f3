import type { TransactionCategory } from '../generated/prisma/client';

interface SeedProduct {
  name: string;
  price: string;
  merchant: string;
  description: string;
}

interface SeedCategory {
  name: string;
  transactionCategory: TransactionCategory;
  description: string;
  products: SeedProduct[];
}

/** The marketplace catalogue of the reference system (8 categories, 40 products, prices in USD). */
export const CATALOGUE: SeedCategory[] = [
  {
    name: 'Grocery Items',
    transactionCategory: 'groceries',
    description: 'Food and household essentials',
    products: [
      { name: 'Organic Bananas', price: '3.99', merchant: 'Fresh Market', description: 'Fresh organic bananas, 2 lbs' },
      {
        name: 'Whole Wheat Bread',
        price: '4.50',
        merchant: 'Bakery Plus',
        description: 'Artisan whole wheat bread loaf',
      },
      {
        name: 'Greek Yogurt',
        price: '5.99',
        merchant: 'Dairy Farm',
        description: 'Plain Greek yogurt, 32 oz container',
      },
      {
        name: 'Chicken Breast',
        price: '12.99',
        merchant: 'Butcher Shop',
        description: 'Free-range chicken breast, 2 lbs',
      },
      {
        name: 'Mixed Vegetables',
        price: '6.49',
        merchant: 'Fresh Market',
        description: 'Frozen mixed vegetables, 2 lb bag',
      },
    ],
  },
  {
    name: 'Restaurant Meals',
    transactionCategory: 'dine_out',
    description: 'Dining and takeout options',
    products: [
      {
        name: 'Margherita Pizza',
        price: '18.99',
        merchant: "Tony's Pizzeria",
        description: 'Classic margherita pizza with fresh basil',
      },
      {
        name: 'Chicken Caesar Salad',
        price: '14.50',
        merchant: 'Garden Bistro',
        description: 'Grilled chicken caesar salad with croutons',
      },
      {
        name: 'Beef Burger Combo',
        price: '16.99',
        merchant: 'Burger Palace',
        description: 'Beef burger with fries and drink',
      },
      {
        name: 'Sushi Platter',
        price: '24.99',
        merchant: 'Sakura Sushi',
        description: 'Assorted sushi and sashimi platter',
      },
      {
        name: 'Pasta Carbonara',
        price: '19.50',
        merchant: 'Italian Corner',
        description: 'Traditional pasta carbonara with pancetta',
      },
    ],
  },
  {
    name: 'Entertainment',
    transactionCategory: 'entertainment',
    description: 'Movies, games, and fun activities',
    products: [
      {
        name: 'Movie Theater Ticket',
        price: '12.50',
        merchant: 'Cinema Complex',
        description: 'Standard movie ticket',
      },
      {
        name: 'Concert Ticket',
        price: '75.00',
        merchant: 'Music Venue',
        description: 'Live concert general admission',
      },
      { name: 'Video Game', price: '59.99', merchant: 'GameStop', description: 'Latest AAA video game title' },
      {
        name: 'Streaming Subscription',
        price: '15.99',
        merchant: 'StreamFlix',
        description: 'Monthly streaming service subscription',
      },
      { name: 'Board Game', price: '34.99', merchant: 'Toy Store', description: 'Strategy board game for family fun' },
    ],
  },
  {
    name: 'Clothing & Accessories',
    transactionCategory: 'shopping',
    description: 'Apparel and fashion items',
    products: [
      { name: 'Cotton T-Shirt', price: '24.99', merchant: 'Fashion Hub', description: '100% cotton crew neck t-shirt' },
      { name: 'Denim Jeans', price: '79.99', merchant: 'Denim Co', description: 'Classic fit denim jeans' },
      { name: 'Running Shoes', price: '129.99', merchant: 'Sports Store', description: 'Lightweight running shoes' },
      {
        name: 'Leather Wallet',
        price: '45.00',
        merchant: 'Leather Goods',
        description: 'Genuine leather bifold wallet',
      },
      { name: 'Winter Jacket', price: '159.99', merchant: 'Outdoor Gear', description: 'Waterproof winter jacket' },
    ],
  },
  {
    name: 'Electronics',
    transactionCategory: 'shopping',
    description: 'Tech gadgets and devices',
    products: [
      {
        name: 'Wireless Headphones',
        price: '199.99',
        merchant: 'Tech Store',
        description: 'Noise-cancelling wireless headphones',
      },
      {
        name: 'Smartphone Case',
        price: '29.99',
        merchant: 'Mobile Accessories',
        description: 'Protective smartphone case',
      },
      {
        name: 'Laptop Charger',
        price: '79.99',
        merchant: 'Computer Parts',
        description: 'Universal laptop charger 65W',
      },
      { name: 'Bluetooth Speaker', price: '89.99', merchant: 'Audio Plus', description: 'Portable Bluetooth speaker' },
      { name: 'USB Cable', price: '19.99', merchant: 'Tech Essentials', description: 'USB-C to USB-A cable 6ft' },
    ],
  },
  {
    name: 'Health & Wellness',
    transactionCategory: 'health',
    description: 'Medical and fitness products',
    products: [
      {
        name: 'Multivitamins',
        price: '24.99',
        merchant: 'Health Store',
        description: 'Daily multivitamin supplement, 90 tablets',
      },
      {
        name: 'Protein Powder',
        price: '49.99',
        merchant: 'Fitness Nutrition',
        description: 'Whey protein powder, 2 lbs',
      },
      {
        name: 'Yoga Mat',
        price: '39.99',
        merchant: 'Wellness Shop',
        description: 'Non-slip yoga mat with carrying strap',
      },
      {
        name: 'First Aid Kit',
        price: '34.99',
        merchant: 'Medical Supply',
        description: 'Complete first aid kit for home',
      },
      {
        name: 'Hand Sanitizer',
        price: '8.99',
        merchant: 'Pharmacy',
        description: 'Antibacterial hand sanitizer, 8 oz',
      },
    ],
  },
  {
    name: 'Transportation',
    transactionCategory: 'transport',
    description: 'Travel and commute options',
    products: [
      { name: 'Gas Fill-up', price: '45.00', merchant: 'Shell Station', description: 'Regular gasoline fill-up' },
      { name: 'Bus Pass', price: '25.00', merchant: 'City Transit', description: 'Weekly public transit pass' },
      { name: 'Uber Ride', price: '18.50', merchant: 'Uber', description: 'Ride share service' },
      { name: 'Parking Fee', price: '12.00', merchant: 'Downtown Parking', description: 'Daily parking fee' },
      { name: 'Car Wash', price: '15.99', merchant: 'Auto Spa', description: 'Full service car wash' },
    ],
  },
  {
    name: 'Utilities & Services',
    transactionCategory: 'bills',
    description: 'Bills and essential services',
    products: [
      {
        name: 'Internet Service',
        price: '79.99',
        merchant: 'ISP Provider',
        description: 'Monthly high-speed internet',
      },
      { name: 'Phone Bill', price: '65.00', merchant: 'Mobile Carrier', description: 'Monthly mobile phone service' },
      {
        name: 'Electricity Bill',
        price: '120.00',
        merchant: 'Power Company',
        description: 'Monthly electricity usage',
      },
      { name: 'Water Bill', price: '45.00', merchant: 'Water Utility', description: 'Monthly water and sewer service' },
      {
        name: 'Insurance Premium',
        price: '150.00',
        merchant: 'Insurance Co',
        description: 'Monthly auto insurance premium',
      },
    ],
  },
];

/** The e-mails the React client treats as admins; seeded with the admin role for local use. */
export const SEED_ADMINS = [
  { email: 'admin@fincoach.com', firstName: 'Admin', lastName: 'User' },
  { email: 'admin@example.com', firstName: 'System', lastName: 'Administrator' },
  { email: 'test@admin.com', firstName: 'Test', lastName: 'Admin' },
];
