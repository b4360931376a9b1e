//! The integration suite of `sqlite2pg`: real SQLite files and a real PostgreSQL server
//! (`DATABASE_URL`, started by scripts/test.sh). One test binary, one module per topic.

mod support;

mod app_schema;
mod bad_input;
mod check;
mod cli;
mod codegen;
mod codegen_discovery;
mod codegen_fresh_crate;
mod codegen_revision;
mod copy;
mod corpus;
mod corpus_codegen;
mod differential;
mod example;
mod framework_detection;
mod frameworks;
mod fts_query;
mod fts_schema;
mod introspection;
mod mapping;
mod migrate_migrator;
mod nothing_lost;
mod schema;
mod seaorm_app;
mod sticky;
mod sequelize;
mod tidy;
mod value_kinds;
