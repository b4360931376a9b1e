'use strict';
// What Sequelize sees of APP_DB's schema, to OUT.json: the tables (queryInterface.showAllTables),
// queryInterface.describeTable of every one (type, allowNull, defaultValue, primaryKey,
// autoIncrement, and whatever else it reports), each table's foreign keys
// (getForeignKeyReferencesForTable: column -> table.column, without constraint names) and its
// indexes (showIndex: primary, unique or plain, and their columns, without index names). Names of constraints and
// indexes are left out: they are the schema-maker's choice and no app reads them. On PostgreSQL
// also what describeTable leaves out: each column's full type as PostgreSQL prints it
// (`pgType`: numeric(10,2), not NUMERIC; timestamp precision) and whether it is an identity
// (`pgIdentity`).
//
// describeTable on PostgreSQL reports no autoIncrement; a column whose default is a sequence's
// nextval(...) is Sequelize's autoIncrement there (a serial), so that is recorded as
// `autoIncrement: true`; any other column as false. An identity column has no default and so is
// no autoIncrement by that reading: Sequelize itself never makes one.
//
//   APP_DB=... node describe.js OUT.json

const fs = require('fs');
const { makeSequelize } = require('./models');

function plain(v) {
  return v === undefined ? '(undefined)' : v;
}

async function main(out) {
  const sequelize = makeSequelize();
  const qi = sequelize.getQueryInterface();
  const dialect = sequelize.getDialect();
  const tables = (await qi.showAllTables())
    .map((t) => (typeof t === 'string' ? t : t.tableName))
    .filter((t) => t !== 'sqlite_sequence')
    .sort();
  const catalog = {};
  if (dialect === 'postgres') {
    const [rows] = await sequelize.query(
      "SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, a.attidentity AS identity " +
      "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid " +
      "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped");
    for (const r of rows) {
      catalog[`${r.table}.${r.column}`] = { pgType: r.type, pgIdentity: { '': 'no', a: 'always', d: 'by default' }[r.identity] };
    }
  }
  const describe = {};
  for (const table of tables) {
    const columns = {};
    const described = await qi.describeTable(table);
    for (const column of Object.keys(described).sort()) {
      const d = { ...described[column], ...catalog[`${table}.${column}`] };
      if (d.autoIncrement === undefined) {
        d.autoIncrement = typeof d.defaultValue === 'string' && d.defaultValue.startsWith('nextval(');
      }
      const entry = {};
      for (const k of Object.keys(d).sort()) entry[k] = plain(d[k]);
      columns[column] = entry;
    }
    const foreignKeys = (await qi.getForeignKeyReferencesForTable(table))
      .map((fk) => `${fk.columnName} -> ${fk.referencedTableName}.${fk.referencedColumnName}`)
      .sort();
    const indexes = (await qi.showIndex(table))
      .map((ix) => `${ix.primary ? 'primary' : ix.unique ? 'unique' : 'index'} (${ix.fields.map((f) => f.attribute).join(', ')})`)
      .sort();
    describe[table] = { columns, foreignKeys: [...new Set(foreignKeys)], indexes: [...new Set(indexes)] };
  }
  await sequelize.close();
  fs.writeFileSync(out, `${JSON.stringify({ framework: 'sequelize', backend: dialect, tables, describe }, null, 1)}\n`);
  console.log(`described ${tables.length} tables on ${dialect}`);
}

if (process.argv.length !== 3) {
  console.error('usage: APP_DB=... node describe.js OUT.json');
  process.exit(2);
}
main(process.argv[2]).catch((e) => {
  console.error(e);
  process.exit(1);
});
