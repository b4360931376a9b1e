'use strict';
// On the migrated database APP_DB names, through the app's models: a new row in every table;
// each new id is past the largest id before (and past SQLite's sqlite_sequence high-water mark,
// when the SQLite dump is given) and is a JavaScript number, as the models' INTEGER keys say;
// every attribute reads back as written (same JS type and value, JSON in the key order written);
// foreign keys and associations work (hasMany, belongsTo, belongsToMany through PostTags, on new
// and copied rows); a missing parent and duplicate unique values are refused; ON DELETE CASCADE
// and SET NULL act; soft deletion (paranoid) and restore work; sequelize-cli can record a new
// migration in SequelizeMeta. Exits 1 naming every failure.
//
//   APP_DB=postgres://... node write_check.js [SQLITE_DUMP.json]

const fs = require('fs');
const util = require('util');
const { makeSequelize, defineModels, Sequelize } = require('./models');

const failures = [];
function check(ok, message) {
  if (!ok) failures.push(message);
}
function show(v) {
  return util.inspect(v, { depth: 5, breakLength: Infinity });
}
function same(a, b) {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    return a.constructor === b.constructor && JSON.stringify(a) === JSON.stringify(b);
  }
  return Object.is(a, b);
}
/** Every written attribute of `row` reads back as written. */
function readsBack(label, row, written) {
  check(row !== null, `${label}: the new row cannot be read back`);
  if (!row) return;
  for (const [attr, value] of Object.entries(written)) {
    const got = row.get(attr);
    check(same(got, value), `${label}.${attr}: wrote ${show(value)} (${typeof value}), read ${show(got)} (${typeof got})`);
  }
}
async function refused(label, errorClass, action) {
  try {
    await action();
    failures.push(`${label}: accepted`);
  } catch (e) {
    check(e instanceof errorClass, `${label}: refused with ${e.name} (${e.message}), not ${errorClass.name}`);
  }
}

async function main(sqliteDump) {
  const highWater = sqliteDump ? JSON.parse(fs.readFileSync(sqliteDump, 'utf8')).sqlite_sequence : {};
  const sequelize = makeSequelize();
  const { Author, Post, Tag, PostTag, Comment, SequelizeMeta } = defineModels(sequelize);
  const keyed = [Author, Post, Tag, Comment];

  const before = {};
  for (const m of keyed) {
    const rows = await m.findAll({ attributes: ['id'], paranoid: false });
    before[m.name] = rows.length ? Math.max(...rows.map((r) => Number(r.id))) : null;
    check(before[m.name] !== null, `${m.getTableName()} is empty before the check: the data did not arrive`);
  }
  if (failures.length) return;
  const oldAuthor = await Author.findOne({ order: [['id', 'ASC']] });
  const oldPost = await Post.findOne({ order: [['id', 'DESC']] });
  const oldTag = await Tag.findOne({ order: [['id', 'ASC']] });
  const oldPostComments = await oldPost.countComments();
  const oldTagPosts = await oldTag.countPosts();

  // New rows in every table, through the models and their associations.
  const wroteAuthor = {
    uuid: '9b2e1c4d-5f6a-4b7c-8d9e-0f1a2b3c4d5e', name: 'Schreibprobe ✓', email: 'write@check.example', bio: '日本語\n', active: false,
    birthday: '1901-12-14', rating: 1 / 3, balance: '-0.01',
  };
  const author = await Author.create(wroteAuthor);
  const wrotePost = {
    title: 'neu', body: 'written on PostgreSQL', status: 'in review ✎', publishedAt: new Date('1969-12-31T23:59:59.999Z'),
    remindAt: '13:14:15', meta: { zeta: [1, 2.5, 'drei', null, true], a: { y: 1, x: 2 } }, score: -1e-300, views: -7,
    price: '99999999.99', pinned: null,
  };
  const post = await author.createPost(wrotePost);
  const wroteScalarPost = { title: 'JSON scalar', body: 'meta is a string', meta: 'bare ✓', price: '0.50' };
  const scalarPost = await Post.create({ ...wroteScalarPost, authorId: oldAuthor.id });
  const wroteTag = { name: 'neu ✓', color: '#123456' };
  const tag = await Tag.create(wroteTag);
  await post.addTag(tag, { through: { position: 9 } });
  await post.addTag(oldTag, { through: { position: -3 } });
  const wroteComment = { body: 'erster ✓', stars: -5, extra: [{ b: 1, a: 2 }], approved: true };
  const comment = await post.createComment({ ...wroteComment, authorId: author.id });
  const oldPostComment = await Comment.create({ postId: oldPost.id, authorId: author.id, body: 'on a copied post', extra: 7 });
  const meta = await SequelizeMeta.create({ name: '20991231235959-write-check.js' });

  const fresh = { Author: author, Post: post, Tag: tag, Comment: comment };
  for (const m of keyed) {
    const id = fresh[m.name].id;
    const floor = Math.max(before[m.name], highWater[m.getTableName()] || 0);
    check(typeof id === 'number', `${m.getTableName()}.id: the new id is ${show(id)} (${typeof id}), not a number as INTEGER keys are`);
    check(Number(id) > floor, `${m.getTableName()}: new id ${id} is not past the old ones (largest ${before[m.name]}, sqlite_sequence ${highWater[m.getTableName()]})`);
  }
  check(Number(scalarPost.id) > Number(post.id), `Posts: ids do not increase (${post.id}, then ${scalarPost.id})`);
  check(Number(oldPostComment.id) > Number(comment.id), `comments: ids do not increase (${comment.id}, then ${oldPostComment.id})`);

  // Everything reads back as written, through fresh queries.
  readsBack('Authors', await Author.findByPk(author.id), wroteAuthor);
  readsBack('Posts', await Post.findByPk(post.id), { ...wrotePost, authorId: author.id });
  readsBack('Posts (JSON scalar)', await Post.findByPk(scalarPost.id), { ...wroteScalarPost, authorId: oldAuthor.id, status: 'draft', views: 0 });
  readsBack('Tags', await Tag.findByPk(tag.id), wroteTag);
  readsBack('comments', await Comment.findByPk(comment.id), { ...wroteComment, postId: post.id, authorId: author.id });
  readsBack('PostTags', await PostTag.findOne({ where: { PostId: post.id, TagId: tag.id } }), { PostId: post.id, TagId: tag.id, position: 9 });
  check((await SequelizeMeta.findByPk(meta.name)) !== null, 'SequelizeMeta: the new migration name cannot be read back');
  check((await SequelizeMeta.count()) >= 2, 'SequelizeMeta: the copied migration names are gone');

  // Associations, eager and lazy, across new and copied rows.
  const loaded = await Author.findByPk(author.id, { include: [{ model: Post, as: 'posts', include: [{ model: Tag, as: 'tags' }, { model: Comment, as: 'comments' }] }] });
  check(loaded.posts.length === 1 && same(loaded.posts[0].id, post.id), `Author.posts of the new author: ${show(loaded.posts.map((p) => p.id))}`);
  const tagNames = loaded.posts[0].tags.map((t) => t.name).sort();
  check(same(tagNames, [oldTag.name, tag.name].sort()), `Post.tags of the new post: ${show(tagNames)}`);
  check(loaded.posts[0].comments.length === 1, `Post.comments of the new post: ${loaded.posts[0].comments.length}`);
  check((await oldPost.countComments()) === oldPostComments + 1, 'a new comment on a copied post is not among its comments');
  check((await oldTag.countPosts()) === oldTagPosts + 1, 'a copied tag does not list the new post');
  check((await Post.count({ where: { status: 'in review ✎' } })) >= 2, 'the ENUM filter finds the copied and the new post');
  check((await Post.count({ where: { authorId: oldAuthor.id } })) >= 1, 'the copied author has no posts');
  await post.increment('views', { by: 10 });
  await post.reload();
  check(same(post.views, 3), `Post.increment: views ${show(post.views)}, expected 3`);

  // Constraints: a missing parent, duplicate unique values.
  await refused('a post whose author does not exist', Sequelize.ForeignKeyConstraintError, () => Post.create({ title: 'orphan', body: '', authorId: 2147483000 }));
  await refused('a duplicate Authors.email', Sequelize.UniqueConstraintError, () => Author.create({ name: 'dup', email: 'write@check.example' }));
  await refused('a duplicate Authors.uuid', Sequelize.UniqueConstraintError, () => Author.create({ name: 'dup', email: 'dup@check.example', uuid: wroteAuthor.uuid }));
  await refused('a duplicate Tags.name', Sequelize.UniqueConstraintError, () => Tag.create({ name: 'neu ✓' }));
  await refused('a duplicate PostTags key', Sequelize.UniqueConstraintError, () => PostTag.create({ PostId: post.id, TagId: tag.id }));

  // Soft deletion and restore (paranoid comments).
  await oldPostComment.destroy();
  check((await Comment.findByPk(oldPostComment.id)) === null, 'a soft-deleted comment is still found');
  const soft = await Comment.findByPk(oldPostComment.id, { paranoid: false });
  check(soft && soft.deletedAt instanceof Date, `a soft-deleted comment's deletedAt: ${show(soft && soft.deletedAt)}`);
  await soft.restore();
  check((await Comment.findByPk(oldPostComment.id)) !== null, 'a restored comment is not found');

  // ON DELETE CASCADE (author -> posts -> PostTags, comments) and SET NULL (comment authors).
  await author.destroy();
  check((await Post.findByPk(post.id)) === null, 'ON DELETE CASCADE Authors -> Posts');
  check((await PostTag.count({ where: { PostId: post.id } })) === 0, 'ON DELETE CASCADE Posts -> PostTags');
  check((await Comment.findByPk(comment.id, { paranoid: false })) === null, 'ON DELETE CASCADE Posts -> comments');
  const orphaned = await Comment.findByPk(oldPostComment.id);
  check(orphaned && orphaned.authorId === null, `ON DELETE SET NULL Authors -> comments.author_id: ${show(orphaned && orphaned.authorId)}`);
  check((await Tag.findByPk(tag.id)) !== null, 'a tag went with a post');

  await sequelize.close();
}

main(process.argv[2])
  .catch((e) => failures.push(`unexpected error (an identity or sequence left behind the copied ids?): ${e.stack || e}`))
  .then(() => {
    if (failures.length) {
      console.error(`write check FAILED:\n  ${failures.join('\n  ')}`);
      process.exit(1);
    }
    console.log('write check passed: every table got a new row past the old ids, read back as written');
  });
