'use strict';
// Read every row of every model through Sequelize on APP_DB (soft-deleted ones too), in key
// order, and write every attribute as [JavaScript type, canonical value] to OUT.json, so a dump
// from SQLite and one from PostgreSQL compare exactly: the same JS type and the same value.
// Also what the associations read (author -> posts, post -> tags with the through row, post ->
// comments), and on SQLite sqlite_sequence's high-water marks (write_check.js wants new ids past
// them; they are not part of the comparison). Rows are keyed by their key's values as text, so a
// key read as a string on one side and a number on the other is a difference of the key
// attribute, not a missing row.
//
//   APP_DB=... node dump.js OUT.json

const fs = require('fs');
const { makeSequelize, defineModels, decimalAttributes, enumAttributes } = require('./models');

/** [type, canonical text] of a value as the app reads it. Numbers keep what JS tells apart
 *  (-0, NaN, Infinity, every bit: String() is the shortest text that reads back the same);
 *  objects and arrays as JSON in their own key order (the order the app sees). */
function canonical(v) {
  if (v === null) return ['null', 'null'];
  if (v === undefined) return ['undefined', 'undefined'];
  switch (typeof v) {
    case 'boolean': return ['boolean', String(v)];
    case 'number': return ['number', Object.is(v, -0) ? '-0' : String(v)];
    case 'bigint': return ['bigint', v.toString()];
    case 'string': return ['string', v];
    default: break;
  }
  if (v instanceof Date) return ['Date', Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()];
  if (Buffer.isBuffer(v)) return ['Buffer', v.toString('hex')];
  if (Array.isArray(v)) return ['Array', JSON.stringify(v)];
  const name = v.constructor ? v.constructor.name : 'Object(null prototype)';
  return [name, JSON.stringify(v)];
}

function keyOf(model, row) {
  return model.primaryKeyAttributes.map((a) => `${a}=${String(row.get(a))}`).join(',');
}

async function main(out) {
  const sequelize = makeSequelize();
  const models = defineModels(sequelize);
  const dialect = sequelize.getDialect();
  const dumped = {};
  for (const name of Object.keys(models).sort()) {
    const model = models[name];
    const order = model.primaryKeyAttributes.map((a) => [a, 'ASC']);
    const rows = {};
    for (const row of await model.findAll({ order, paranoid: false })) {
      const key = keyOf(model, row);
      if (key in rows) throw new Error(`${name}: key ${key} read twice`);
      const fields = {};
      for (const attr of Object.keys(model.rawAttributes)) fields[attr] = canonical(row.get(attr));
      rows[key] = fields;
    }
    dumped[name] = {
      table: model.getTableName().toString(),
      count: await model.count({ paranoid: false }),
      decimals: decimalAttributes(model),
      enums: enumAttributes(model),
      rows,
    };
  }

  // The associations, read the way the app reads them (eager loading, joins through PostTags).
  const { Author, Post, Tag, Comment } = models;
  const assoc = {};
  for (const a of await Author.findAll({ include: [{ model: Post, as: 'posts' }], order: [['id', 'ASC'], [{ model: Post, as: 'posts' }, 'id', 'ASC']] })) {
    assoc[`Author id=${a.id}`] = { posts: canonical(a.posts.map((p) => p.id)) };
  }
  for (const p of await Post.findAll({
    include: [{ model: Tag, as: 'tags' }, { model: Author, as: 'author' }, { model: Comment, as: 'comments', paranoid: false }],
    order: [['id', 'ASC'], [{ model: Tag, as: 'tags' }, 'id', 'ASC'], [{ model: Comment, as: 'comments' }, 'id', 'ASC']],
  })) {
    assoc[`Post id=${p.id}`] = {
      author: canonical(p.author.email),
      tags: canonical(p.tags.map((t) => [t.id, t.name, t.PostTag.position])),
      comments: canonical(p.comments.map((c) => c.id)),
    };
  }
  dumped['(associations)'] = { table: null, count: Object.keys(assoc).length, decimals: {}, enums: [], rows: assoc };

  let sequences = {};
  if (dialect === 'sqlite') {
    const [seqs] = await sequelize.query('SELECT name, seq FROM sqlite_sequence');
    sequences = Object.fromEntries(seqs.map((r) => [r.name, r.seq]));
  }
  await sequelize.close();
  fs.writeFileSync(out, `${JSON.stringify({ framework: 'sequelize', backend: dialect, models: dumped, sqlite_sequence: sequences }, null, 1)}\n`);
  const total = Object.values(dumped).reduce((n, m) => n + Object.keys(m.rows).length, 0);
  console.log(`dumped ${total} rows of ${Object.keys(dumped).length} models from ${dialect}`);
}

if (process.argv.length !== 3) {
  console.error('usage: APP_DB=... node dump.js OUT.json');
  process.exit(2);
}
main(process.argv[2]).catch((e) => {
  console.error(e);
  process.exit(1);
});
