import { Injectable } from '@nestjs/common';

import { AccountDataRepository } from './account-data.repository';

/**
 * A user's data export (GDPR art. 15/20) as one streamed JSON document:
 * `{"exported_at", "user", "tables": {"<table>": [rows…], …}}` with every table that holds
 * users' rows present (empty ones as []).
 */
@Injectable()
export class AccountExportService {
  constructor(private readonly data: AccountDataRepository) {}

  async *exportJson(userId: string): AsyncGenerator<string> {
    yield `{"exported_at":${JSON.stringify(new Date().toISOString())},"user":`;
    let inTables = false;
    let userSeen = false;
    let firstRow = true;
    for await (const { table, json } of this.data.exportRows(userId)) {
      if (table === 'users') {
        if (json !== null) yield json;
        userSeen = json !== null;
      } else if (json === null) {
        yield inTables ? '],' : `${userSeen ? '' : 'null'},"tables":{`;
        yield `${JSON.stringify(table)}:[`;
        inTables = true;
        firstRow = true;
      } else {
        yield firstRow ? json : `,${json}`;
        firstRow = false;
      }
    }
    yield inTables ? ']}}' : `${userSeen ? '' : 'null'},"tables":{}}`;
  }
}
