'use strict';
// Build the schema with the app itself (`sequelize.sync()`, as many Sequelize apps do on SQLite),
// record a migration in SequelizeMeta as sequelize-cli would, then write the data through the
// models. Deterministic: every key, timestamp and UUID is given, so two runs (on SQLite or on
// PostgreSQL) write the same rows. Deleted rows leave gaps and SQLite's sqlite_sequence past the
// largest id; NULLs, non-ASCII text, negative numbers, dates written in several zones.
//
//   APP_DB=... node populate.js            # schema and data
//   APP_DB=... node populate.js --schema   # schema only (sequelize.sync() and SequelizeMeta's table)

const { makeSequelize, defineModels } = require('./models');

const schemaOnly = process.argv.includes('--schema');

// Timestamps as the app's users wrote them: instants given in several zones.
const at = (text) => {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`bad date ${text}`);
  return d;
};
const stamps = (created, updated = created) => ({ createdAt: at(created), updatedAt: at(updated) });

async function main() {
  const sequelize = makeSequelize();
  const { Author, Post, Tag, PostTag, Comment, SequelizeMeta } = defineModels(sequelize);
  await sequelize.sync();
  if (schemaOnly) {
    await sequelize.close();
    console.log(`schema made on ${sequelize.getDialect()}`);
    return;
  }
  const keep = { silent: true }; // keep the given createdAt/updatedAt

  await SequelizeMeta.create({ name: '20240101000000-create-blog.js' });
  await SequelizeMeta.create({ name: '20240315120000-add-comments.js' });

  const authors = [];
  for (const a of [
    { uuid: '6f1c3f8e-2b4a-4c1e-9d3e-0a1b2c3d4e5f', name: 'Zoë Ångström', email: 'zoe@example.org', bio: 'Schreibt über Datenbanken ✓\nzweite Zeile', active: true,
      birthday: '1985-02-28', rating: 4.75, balance: '1234.50', ...stamps('2024-01-02T03:04:05.678+01:00', '2024-06-30T23:59:59.999-07:00') },
    { uuid: '00000000-0000-4000-8000-000000000000', name: '田中 太郎', email: 'tanaka@example.jp', bio: null, active: false,
      birthday: '2000-02-29', rating: -0.125, balance: '-99.99', ...stamps('2024-03-31T02:30:00+02:00', '2024-10-27T02:30:00+01:00') },
    { uuid: null, name: 'O\'Brien "Bob"', email: 'bob@example.com', bio: '', active: true,
      birthday: null, rating: null, balance: '0.00', ...stamps('1969-12-31T23:59:59.001Z') },
    { uuid: 'ffffffff-ffff-4fff-bfff-ffffffffffff', name: 'مريم', email: 'maryam@example.net', bio: 'نص عربي 🙂', active: true,
      birthday: '1970-01-01', rating: 1e-7, balance: '99999999.99', ...stamps('2038-01-19T03:14:08+05:30', '2038-01-19T03:14:08.5-09:30') },
    { uuid: '12345678-1234-4234-9234-123456789abc', name: 'deleted author', email: 'gone@example.org', bio: 'removed below', active: false,
      birthday: '1999-12-31', rating: 2, balance: '1.00', ...stamps('2024-05-05T05:05:05Z') },
  ]) {
    authors.push(await Author.create(a, keep));
  }

  const tags = [];
  for (const t of [
    { name: 'sql', color: '#ff0000' },
    { name: 'postgres ✓', color: '#336791' },
    { name: 'ελληνικά', color: '#ffffff' },
    { name: 'unused', color: '#000000' },
  ]) {
    tags.push(await Tag.create({ ...t, ...stamps('2024-02-01T00:00:00Z') }, keep));
  }

  const posts = [];
  for (const p of [
    { authorId: authors[0].id, title: 'Hello, world', body: 'First post.\nWith two lines.', status: 'published',
      publishedAt: at('2024-01-15T09:30:00+01:00'), remindAt: '09:30:00', meta: { zeta: 1, a: [1, 2.5, 'drei', null, true], mm: { nested: 'ü' } },
      score: 0.1 + 0.2, views: 1200, price: '19.99', pinned: true, ...stamps('2024-01-15T09:00:00+01:00', '2024-01-16T10:00:00-05:00') },
    { authorId: authors[0].id, title: 'Entwurf ✎', body: '', status: 'draft', publishedAt: null, remindAt: null,
      meta: ['b', 'a', { y: 2, x: 1 }], score: -1.5e-7, views: 0, price: null, pinned: null, ...stamps('2024-02-29T12:00:00Z') },
    { authorId: authors[1].id, title: '日本語のタイトル', body: '本文 🙂', status: 'in review ✎',
      publishedAt: at('1999-12-31T23:59:59.999+09:00'), remindAt: '23:59:59', meta: 'just a string ✓', score: 1e300, views: -42,
      price: '-0.01', pinned: false, ...stamps('1999-12-31T20:00:00+09:00', '2000-01-01T00:00:00+09:00') },
    { authorId: authors[2].id, title: 'A number as JSON', body: 'meta is 42', status: 'archived',
      publishedAt: at('2024-10-27T01:30:00-02:30'), remindAt: '00:00:00', meta: 42, score: 123456789.125, views: 2147483647,
      price: '12.50', pinned: true, ...stamps('2024-10-27T01:00:00-02:30') },
    { authorId: authors[3].id, title: 'Scalars', body: 'a float and a boolean in JSON', status: 'published',
      publishedAt: at('2024-07-04T12:00:00.123-04:00'), remindAt: '12:34:56.789', meta: 1.5, score: -0.5, views: 7,
      price: '0.10', pinned: false, ...stamps('2024-07-04T11:00:00-04:00') },
    { authorId: authors[3].id, title: 'true as JSON', body: 'meta is true', status: 'draft',
      publishedAt: null, remindAt: '06:07:08', meta: true, score: null, views: 3, price: '100.00', pinned: null,
      ...stamps('2024-07-05T00:00:00Z') },
    { authorId: authors[1].id, title: 'null meta', body: 'meta is SQL NULL', status: 'published',
      publishedAt: at('2024-12-31T23:59:59Z'), remindAt: null, meta: null, score: 2.5, views: 1, price: '1.00', pinned: true,
      ...stamps('2024-12-31T23:00:00Z') },
    { authorId: authors[2].id, title: 'deleted post', body: 'removed below', status: 'draft', publishedAt: null,
      remindAt: null, meta: { gone: true }, score: 0, views: 0, price: null, pinned: null, ...stamps('2024-08-08T08:08:08Z') },
  ]) {
    posts.push(await Post.create(p, keep));
  }

  const links = [[0, 0, 1], [0, 1, 2], [0, 2, -1], [2, 2, 0], [3, 0, 5], [4, 1, 0], [6, 2, 3], [7, 0, 0]];
  for (const [p, t, position] of links) {
    await PostTag.create({ PostId: posts[p].id, TagId: tags[t].id, position, ...stamps('2024-03-01T10:00:00+01:00') }, keep);
  }

  const comments = [
    { postId: posts[0].id, authorId: authors[1].id, body: 'Schön! 👍', stars: 5, extra: { lang: 'de', flags: [] }, approved: true,
      createdAt: at('2024-01-15T10:00:00+01:00') },
    { postId: posts[0].id, authorId: null, body: 'anonymous', stars: null, extra: null, approved: false,
      createdAt: at('2024-01-15T11:00:00-08:00') },
    { postId: posts[2].id, authorId: authors[0].id, body: '訂正', stars: -1, extra: ['x'], approved: true,
      createdAt: at('2000-01-01T00:00:00+14:00') },
    { postId: posts[3].id, authorId: authors[3].id, body: 'soft-deleted comment', stars: 3, extra: 'bare', approved: false,
      createdAt: at('2024-10-28T00:00:00Z'), deletedAt: at('2024-10-29T12:00:00+03:00') },
    { postId: posts[7].id, authorId: authors[2].id, body: 'goes with its post', stars: 1, extra: 0, approved: false,
      createdAt: at('2024-08-09T00:00:00Z') },
  ];
  for (const c of comments) {
    await Comment.create(c, keep);
  }

  // Deleted rows: the last author (no posts), the last post (its tags and comment cascade), so
  // SQLite's sqlite_sequence is past the largest id and new ids must go past it.
  await posts[7].destroy();
  await PostTag.destroy({ where: { PostId: posts[7].id } });
  await Comment.destroy({ where: { postId: posts[7].id }, force: true });
  await authors[4].destroy();
  // An update through the model: updatedAt given again, kept.
  await posts[1].update({ views: 5, updatedAt: at('2024-03-01T00:00:00Z') }, keep);

  const counts = {};
  for (const m of [Author, Post, Tag, PostTag, Comment, SequelizeMeta]) counts[m.name] = await m.count({ paranoid: false });
  await sequelize.close();
  console.log(`populated ${sequelize.getDialect()}: ${JSON.stringify(counts)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
