'use strict';
// The Sequelize 6 app of the framework test (tests/sequelize.rs): a small blog whose models use
// what Sequelize apps use: INTEGER autoIncrement keys, UUID, BOOLEAN, DATE, DATEONLY, TIME,
// DECIMAL(10,2), FLOAT, DOUBLE, STRING, TEXT, JSON (objects, arrays, scalars), ENUM, belongsTo /
// hasMany with ON DELETE CASCADE and SET NULL, a many-to-many through model with a composite key,
// a plain and a named composite unique index, a paranoid (soft-deleting) model with underscored column names, and sequelize-cli's
// SequelizeMeta table (so sqlite2pg recognises the framework).
//
// The database comes from APP_DB: sqlite:///abs/path.db or postgres://user@host:port/dbname.
// The modules come from NODE_PATH (scripts/node-env.sh installs them into target/node-env).

const { Sequelize, DataTypes } = require('sequelize');

/** A Sequelize instance for APP_DB. */
function makeSequelize(appDb = process.env.APP_DB) {
  if (!appDb) {
    fail('APP_DB is not set: sqlite:///abs/path.db or postgres://user@host:port/dbname');
  }
  const options = { logging: false };
  if (appDb.startsWith('sqlite://')) {
    let path = appDb.slice('sqlite://'.length);
    while (path.startsWith('//')) path = path.slice(1);
    if (!path.startsWith('/')) fail(`APP_DB: a sqlite URL needs an absolute path (sqlite:///abs/path.db), not ${appDb}`);
    return new Sequelize({ ...options, dialect: 'sqlite', storage: path });
  }
  if (/^postgres(ql)?:\/\//.test(appDb)) {
    return new Sequelize(appDb, { ...options, dialect: 'postgres' });
  }
  fail(`APP_DB: expected sqlite:///PATH or postgres://..., not ${appDb}`);
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

/** The app's models on `sequelize`, with their associations. */
function defineModels(sequelize) {
  const Author = sequelize.define('Author', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    uuid: { type: DataTypes.UUID, allowNull: true, unique: true },
    name: { type: DataTypes.STRING(100), allowNull: false },
    email: { type: DataTypes.STRING, allowNull: false, unique: true },
    bio: { type: DataTypes.TEXT },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    birthday: { type: DataTypes.DATEONLY },
    rating: { type: DataTypes.FLOAT },
    balance: { type: DataTypes.DECIMAL(10, 2), allowNull: false, defaultValue: 0 },
  });

  const Post = sequelize.define('Post', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    title: { type: DataTypes.STRING, allowNull: false },
    body: { type: DataTypes.TEXT, allowNull: false },
    status: { type: DataTypes.ENUM('draft', 'published', 'archived', 'in review ✎'), allowNull: false, defaultValue: 'draft' },
    publishedAt: { type: DataTypes.DATE },
    remindAt: { type: DataTypes.TIME },
    meta: { type: DataTypes.JSON },
    score: { type: DataTypes.DOUBLE },
    views: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    price: { type: DataTypes.DECIMAL(10, 2) },
    pinned: { type: DataTypes.BOOLEAN },
  }, {
    indexes: [
      { fields: ['authorId', 'publishedAt'] },
      { unique: true, fields: ['title', 'authorId'], name: 'posts_title_per_author' },
    ],
  });

  const Tag = sequelize.define('Tag', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(50), allowNull: false, unique: true },
    color: { type: DataTypes.STRING(7), allowNull: false, defaultValue: '#ffffff' },
  });

  const PostTag = sequelize.define('PostTag', {
    position: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });

  // underscored: post_id, author_id, created_at, ...; paranoid: destroy() sets deleted_at.
  const Comment = sequelize.define('Comment', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    body: { type: DataTypes.TEXT, allowNull: false },
    stars: { type: DataTypes.INTEGER },
    extra: { type: DataTypes.JSON },
    approved: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
  }, { underscored: true, paranoid: true, updatedAt: false });

  // sequelize-cli's migration table, as umzug's SequelizeStorage defines it.
  const SequelizeMeta = sequelize.define('SequelizeMeta', {
    name: { type: DataTypes.STRING, allowNull: false, unique: true, primaryKey: true, autoIncrement: false },
  }, { tableName: 'SequelizeMeta', timestamps: false });

  Author.hasMany(Post, { foreignKey: { name: 'authorId', allowNull: false }, onDelete: 'CASCADE', as: 'posts' });
  Post.belongsTo(Author, { foreignKey: { name: 'authorId', allowNull: false }, onDelete: 'CASCADE', as: 'author' });
  Post.hasMany(Comment, { foreignKey: { name: 'postId', allowNull: false }, onDelete: 'CASCADE', as: 'comments' });
  Comment.belongsTo(Post, { foreignKey: { name: 'postId', allowNull: false }, onDelete: 'CASCADE', as: 'post' });
  Author.hasMany(Comment, { foreignKey: 'authorId', onDelete: 'SET NULL', as: 'comments' });
  Comment.belongsTo(Author, { foreignKey: 'authorId', onDelete: 'SET NULL', as: 'author' });
  Post.belongsToMany(Tag, { through: PostTag, as: 'tags' });
  Tag.belongsToMany(Post, { through: PostTag, as: 'posts' });

  return { Author, Post, Tag, PostTag, Comment, SequelizeMeta };
}

/** The attributes of a model whose type is DECIMAL, with their scale: Sequelize reads them as a
 *  JavaScript number on SQLite and as a string on PostgreSQL, whatever the schema. */
function decimalAttributes(model) {
  const out = {};
  for (const [name, attr] of Object.entries(model.rawAttributes)) {
    if (attr.type instanceof DataTypes.DECIMAL) out[name] = attr.type.options.scale;
  }
  return out;
}

/** The attributes of a model whose type is ENUM (SQLite stores them as TEXT). */
function enumAttributes(model) {
  return Object.entries(model.rawAttributes).filter(([, a]) => a.type instanceof DataTypes.ENUM).map(([n]) => n);
}

module.exports = { makeSequelize, defineModels, decimalAttributes, enumAttributes, DataTypes, Sequelize };
