//! Issue 16: a SeaORM application on SQLite, migrated with `sqlite2pg migrate`, keeps working.
//!
//! The application is what a Loco / SeaORM app is: sea-orm-migration migrations written with
//! sea-query's schema builder (`pk_auto`, `uuid`, `string_uniq`, Loco's `table_auto_tz`
//! timestamps with `CURRENT_TIMESTAMP` defaults, a decimal with and without precision, `json`,
//! `json_binary`, `date`, `time`, a naive `timestamp`, a blob, a foreign key, an index, and a
//! later `ALTER TABLE ... ADD COLUMN`), run by its own `Migrator` on a fresh SQLite file through
//! sea-orm's SQLite driver, so the DDL carries sea-query's SQLite type names (`uuid_text`,
//! `timestamp_with_timezone_text`, `real_decimal`, `real(10, 2)`, `json_text`, `jsonb_text`,
//! `date_text`, `time_text`, `timestamp_text`, `boolean`), and its rows written through its own
//! hand-written entities (ActiveModel inserts, as the app does it: keys and defaulted timestamps
//! left to the database).
//!
//! 1. On SQLite the entities read back what was written (proof that the harness is right).
//! 2. `sqlite2pg migrate app.db --to <PostgreSQL>`: exit 0, every row of every table arrives,
//!    nothing rejected.
//! 3. The same entities on PostgreSQL read models equal to the SQLite ones (`Decimal` by value,
//!    date-times by instant; their scales and offsets are reported beside), the relations read
//!    the same, the app's `Migrator` sees nothing pending, and new rows inserted through the
//!    entities get keys past the old ones and read back equal.
//! 4. The entities `sqlite2pg generate` writes have the fields, Rust types and keys of those
//!    `sea-orm-cli generate entity -u sqlite://app.db` writes (reproduced: sea-schema's SQLite
//!    discovery, `merge_indexes_into_table`, sea-orm-cli's default table filters and writer
//!    options), entity by entity and column by column.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::time::Instant;

use quote::ToTokens;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, Database, DatabaseConnection, QueryOrder};
use sea_orm_migration::MigratorTrait;
use serde_json::json;

use crate::support::pg::TestDb;
use crate::support::{Workdir, run_cli, stderr, stdout};

/// The application's migrations, as a Loco / SeaORM app writes them.
mod migration {
    use sea_orm_migration::{prelude::*, schema::*};

    pub struct Migrator;

    #[async_trait::async_trait]
    impl MigratorTrait for Migrator {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            vec![Box::new(CreateUsers), Box::new(CreateProducts), Box::new(CreateNotes), Box::new(AddProductsStock)]
        }
    }

    /// Loco's `schema::table_auto_tz`: `created_at` and `updated_at`, `timestamp with time zone`
    /// defaulting to `CURRENT_TIMESTAMP`, first in the table.
    fn table_auto_tz(name: &'static str) -> TableCreateStatement {
        Table::create()
            .table(name)
            .if_not_exists()
            .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
            .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
            .take()
    }

    pub struct CreateUsers;
    impl MigrationName for CreateUsers {
        fn name(&self) -> &str {
            "m20240101_000001_users"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for CreateUsers {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            let table = table_auto_tz("users")
                .col(pk_auto("id"))
                .col(uuid("pid"))
                .col(string_uniq("email"))
                .col(string("name"))
                .col(boolean("is_admin").default(false))
                .col(timestamp_with_time_zone_null("reset_sent_at"))
                .to_owned();
            m.create_table(table).await
        }
        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.drop_table(Table::drop().table("users").to_owned()).await
        }
    }

    pub struct CreateProducts;
    impl MigrationName for CreateProducts {
        fn name(&self) -> &str {
            "m20240101_000002_products"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for CreateProducts {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            let table = table_auto_tz("products")
                .col(pk_auto("id"))
                .col(string("name"))
                .col(decimal_len("price", 10, 2))
                .col(decimal_null("list_price"))
                .col(double("weight"))
                .col(json("meta"))
                .col(date_null("launched_on"))
                .col(integer("user_id"))
                .foreign_key(ForeignKey::create().name("fk-products-user_id").from("products", "user_id").to("users", "id").on_delete(ForeignKeyAction::Cascade).on_update(ForeignKeyAction::Cascade))
                .to_owned();
            m.create_table(table).await?;
            m.create_index(Index::create().name("idx-products-launched_on").table("products").col("launched_on").to_owned()).await
        }
        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.drop_table(Table::drop().table("products").to_owned()).await
        }
    }

    pub struct CreateNotes;
    impl MigrationName for CreateNotes {
        fn name(&self) -> &str {
            "m20240102_000001_notes"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for CreateNotes {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            let table = Table::create()
                .table("notes")
                .if_not_exists()
                .col(pk_auto("id"))
                .col(string_len("title", 120))
                .col(text_null("body"))
                .col(json_binary("tags"))
                .col(json_null("extra"))
                .col(time_null("remind_at"))
                .col(blob_null("attachment"))
                .col(big_integer("views").default(0))
                .col(integer_null("user_id"))
                .col(timestamp("created_at").default(Expr::current_timestamp()))
                .foreign_key(ForeignKey::create().name("fk-notes-user_id").from("notes", "user_id").to("users", "id").on_delete(ForeignKeyAction::SetNull))
                .to_owned();
            m.create_table(table).await
        }
        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.drop_table(Table::drop().table("notes").to_owned()).await
        }
    }

    pub struct AddProductsStock;
    impl MigrationName for AddProductsStock {
        fn name(&self) -> &str {
            "m20240201_000001_add_stock_to_products"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for AddProductsStock {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.alter_table(Table::alter().table("products").add_column(big_integer_null("stock")).to_owned()).await
        }
        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.alter_table(Table::alter().table("products").drop_column("stock").to_owned()).await
        }
    }
}

/// The application's own entities, written by hand as a Loco app has them.
mod users {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        pub created_at: DateTimeWithTimeZone,
        pub updated_at: DateTimeWithTimeZone,
        #[sea_orm(primary_key)]
        pub id: i32,
        pub pid: Uuid,
        #[sea_orm(unique)]
        pub email: String,
        pub name: String,
        pub is_admin: bool,
        pub reset_sent_at: Option<DateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::products::Entity")]
        Products,
        #[sea_orm(has_many = "super::notes::Entity")]
        Notes,
    }

    impl Related<super::products::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Products.def()
        }
    }

    impl Related<super::notes::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Notes.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod products {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "products")]
    pub struct Model {
        pub created_at: DateTimeWithTimeZone,
        pub updated_at: DateTimeWithTimeZone,
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        #[sea_orm(column_type = "Decimal(Some((10, 2)))")]
        pub price: Decimal,
        #[sea_orm(column_type = "Decimal(None)", nullable)]
        pub list_price: Option<Decimal>,
        #[sea_orm(column_type = "Double")]
        pub weight: f64,
        #[sea_orm(column_type = "Json")]
        pub meta: Json,
        pub launched_on: Option<Date>,
        pub user_id: i32,
        pub stock: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(belongs_to = "super::users::Entity", from = "Column::UserId", to = "super::users::Column::Id", on_update = "Cascade", on_delete = "Cascade")]
        Users,
    }

    impl Related<super::users::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Users.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod notes {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub title: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub body: Option<String>,
        #[sea_orm(column_type = "JsonBinary")]
        pub tags: Json,
        #[sea_orm(column_type = "Json", nullable)]
        pub extra: Option<Json>,
        pub remind_at: Option<Time>,
        #[sea_orm(column_type = "Blob", nullable)]
        pub attachment: Option<Vec<u8>>,
        pub views: i64,
        pub user_id: Option<i32>,
        pub created_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(belongs_to = "super::users::Entity", from = "Column::UserId", to = "super::users::Column::Id", on_update = "NoAction", on_delete = "SetNull")]
        Users,
    }

    impl Related<super::users::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Users.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The app's models with 64-bit keys: a diagnostic read, so that the values behind a key whose
/// type changed are still compared (the app itself cannot read them this way).
mod wide {
    use sea_orm::FromQueryResult;
    use sea_orm::entity::prelude::*;

    fn key(v: i64) -> i32 {
        i32::try_from(v).expect("a key within i32")
    }

    #[derive(Debug, FromQueryResult)]
    pub struct User {
        created_at: DateTimeWithTimeZone,
        updated_at: DateTimeWithTimeZone,
        id: i64,
        pid: Uuid,
        email: String,
        name: String,
        is_admin: bool,
        reset_sent_at: Option<DateTimeWithTimeZone>,
    }

    impl From<User> for super::users::Model {
        fn from(r: User) -> Self {
            super::users::Model { created_at: r.created_at, updated_at: r.updated_at, id: key(r.id), pid: r.pid, email: r.email, name: r.name, is_admin: r.is_admin, reset_sent_at: r.reset_sent_at }
        }
    }

    #[derive(Debug, FromQueryResult)]
    pub struct Product {
        created_at: DateTimeWithTimeZone,
        updated_at: DateTimeWithTimeZone,
        id: i64,
        name: String,
        price: Decimal,
        list_price: Option<Decimal>,
        weight: f64,
        meta: Json,
        launched_on: Option<Date>,
        user_id: i64,
        stock: Option<i64>,
    }

    impl From<Product> for super::products::Model {
        fn from(r: Product) -> Self {
            super::products::Model {
                created_at: r.created_at,
                updated_at: r.updated_at,
                id: key(r.id),
                name: r.name,
                price: r.price,
                list_price: r.list_price,
                weight: r.weight,
                meta: r.meta,
                launched_on: r.launched_on,
                user_id: key(r.user_id),
                stock: r.stock,
            }
        }
    }

    #[derive(Debug, FromQueryResult)]
    pub struct Note {
        id: i64,
        title: String,
        body: Option<String>,
        tags: Json,
        extra: Option<Json>,
        remind_at: Option<Time>,
        attachment: Option<Vec<u8>>,
        views: i64,
        user_id: Option<i64>,
        created_at: DateTime,
    }

    impl From<Note> for super::notes::Model {
        fn from(r: Note) -> Self {
            super::notes::Model {
                id: key(r.id),
                title: r.title,
                body: r.body,
                tags: r.tags,
                extra: r.extra,
                remind_at: r.remind_at,
                attachment: r.attachment,
                views: r.views,
                user_id: r.user_id.map(key),
                created_at: r.created_at,
            }
        }
    }
}

/// [`read_all`] with 64-bit keys (see [`wide`]).
async fn read_all_wide(db: &DatabaseConnection) -> Result<Snapshot, String> {
    Ok(Snapshot {
        users: users::Entity::find().order_by_asc(users::Column::Id).into_model::<wide::User>().all(db).await.map_err(|e| format!("users: {e}"))?.into_iter().map(Into::into).collect(),
        products: products::Entity::find().order_by_asc(products::Column::Id).into_model::<wide::Product>().all(db).await.map_err(|e| format!("products: {e}"))?.into_iter().map(Into::into).collect(),
        notes: notes::Entity::find().order_by_asc(notes::Column::Id).into_model::<wide::Note>().all(db).await.map_err(|e| format!("notes: {e}"))?.into_iter().map(Into::into).collect(),
    })
}

/// The application's tables, in creation order.
const TABLES: [&str; 3] = ["users", "products", "notes"];

fn tz(s: &str) -> DateTimeWithTimeZone {
    DateTimeWithTimeZone::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn naive(s: &str) -> DateTime {
    DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).expect("a date")
}

fn dec(num: i64, scale: u32) -> Decimal {
    Decimal::new(num, scale)
}

/// Every table read through the entities, ordered by key.
#[derive(Debug, PartialEq)]
struct Snapshot {
    users: Vec<users::Model>,
    products: Vec<products::Model>,
    notes: Vec<notes::Model>,
}

/// The users, products and notes the application writes, ActiveModel by ActiveModel: keys left
/// to the database, and on some rows the timestamps too (their `CURRENT_TIMESTAMP` default).
/// Non-ASCII text, NULLs, offsets other than UTC (one crossing midnight), decimals with two
/// places, JSON objects, arrays and scalars (a JSON `null` among them), a blob that is no
/// UTF-8, an empty blob, an integer past 2^53.
fn app_rows() -> (Vec<users::ActiveModel>, Vec<products::ActiveModel>, Vec<notes::ActiveModel>) {
    let user = |created: Option<&str>, pid: u128, email: &str, name: &str, admin: bool, reset: Option<&str>| users::ActiveModel {
        created_at: created.map_or(NotSet, |c| Set(tz(c))),
        updated_at: created.map_or(NotSet, |c| Set(tz(c))),
        id: NotSet,
        pid: Set(Uuid::from_u128(pid)),
        email: Set(email.to_string()),
        name: Set(name.to_string()),
        is_admin: Set(admin),
        reset_sent_at: Set(reset.map(tz)),
    };
    let users = vec![
        user(Some("2024-01-15T09:30:00+00:00"), 0x0190_f5c2_7a3b_7c4d_8e9f_a0b1_c2d3_e4f5, "ada@example.com", "Ada Lovelace", true, None),
        user(Some("2024-02-29T12:00:00.123456+05:30"), 0x6ba7_b810_9dad_11d1_80b4_00c0_4fd4_30c8, "zoe@example.com", "Zoë Ångström-Ñúñez", false, Some("2024-03-01T23:59:59.654321-08:00")),
        user(Some("2023-12-31T23:30:00-03:00"), 0xffff_ffff_ffff_ffff_ffff_ffff_ffff_ffff, "yamada@example.jp", "山田太郎 🍣", false, None),
        user(None, 1, "o'brien@example.ie", "Seán O'Brien \"the quote\"\nsecond line", true, Some("1970-01-01T00:00:00Z")),
        user(Some("2038-01-19T03:14:08+14:00"), 0, "empty@example.com", "", false, None),
    ];

    let product = |created: Option<&str>, name: &str, price: Decimal, list: Option<Decimal>, weight: f64, meta: Json, launched: Option<Date>, user_id: i32, stock: Option<i64>| products::ActiveModel {
        created_at: created.map_or(NotSet, |c| Set(tz(c))),
        updated_at: created.map_or(NotSet, |c| Set(tz(c))),
        id: NotSet,
        name: Set(name.to_string()),
        price: Set(price),
        list_price: Set(list),
        weight: Set(weight),
        meta: Set(meta),
        launched_on: Set(launched),
        user_id: Set(user_id),
        stock: Set(stock),
    };
    let products = vec![
        product(
            Some("2024-05-01T10:00:00+02:00"),
            "Widget",
            dec(1250, 2),
            Some(dec(1999, 2)),
            0.1,
            json!({"color": "red", "sizes": [1, 2, 3], "nested": {"a": null, "ü": "☃"}}),
            Some(date(2024, 5, 1)),
            1,
            Some(10),
        ),
        product(Some("2024-05-02T00:15:00-07:00"), "Gadget ünïcödé", dec(0, 2), None, 1e-300, json!("just a string"), None, 2, None),
        product(None, "Thing", dec(9_999_999_999, 2), Some(dec(-5, 1)), 1234.5678, json!(42), Some(date(1999, 12, 31)), 1, Some(-3)),
        product(Some("2024-05-03T08:00:00+00:00"), "Gizmo", dec(1, 2), Some(dec(123_456_789, 3)), f64::MAX, json!(true), Some(date(2000, 2, 29)), 3, Some(0)),
        product(Some("2024-05-04T08:00:00+09:00"), "Null meta", dec(-4250, 2), None, -0.5, Json::Null, None, 3, None),
        product(Some("2024-05-05T08:00:00+09:00"), "Array meta", dec(100, 2), Some(dec(3, 0)), 2.0, json!([1, "two", 3.5, {"four": [4]}]), Some(date(2024, 12, 24)), 5, Some(9_007_199_254_740_993)),
    ];

    let note = |title: &str,
                body: Option<&str>,
                tags: Json,
                extra: Option<Json>,
                remind: Option<(u32, u32, u32, u32)>,
                attachment: Option<Vec<u8>>,
                views: Option<i64>,
                user_id: Option<i32>,
                created: Option<&str>| notes::ActiveModel {
        id: NotSet,
        title: Set(title.to_string()),
        body: Set(body.map(str::to_string)),
        tags: Set(tags),
        extra: Set(extra),
        remind_at: Set(remind.map(|(h, m, s, us)| Time::from_hms_micro_opt(h, m, s, us).expect("a time"))),
        attachment: Set(attachment),
        views: views.map_or(NotSet, Set),
        user_id: Set(user_id),
        created_at: created.map_or(NotSet, |c| Set(naive(c))),
    };
    let notes = vec![
        note("Shopping", Some("milk\teggs\r\nbread"), json!(["a", "b"]), None, Some((8, 15, 30, 0)), Some(vec![0, 159, 146, 150, 255]), None, Some(1), None),
        note("Ünïcode 📝", None, json!({}), Some(Json::Null), None, None, Some(9_007_199_254_740_993), None, Some("2024-06-30 23:59:59.999999")),
        note("Scalar tags", Some(""), json!("scalar"), Some(json!(3.25)), Some((23, 59, 59, 999_999)), Some(Vec::new()), Some(-1), Some(2), Some("2000-01-01 00:00:00")),
        note(
            "Escapes",
            Some("back\\slash 'single' \"double\""),
            json!({"k": "é \"q\" \\ \u{1F600}", "small": -1.5e-7, "huge": 1e300, "big": 12345678901234567_i64}),
            Some(json!("")),
            Some((0, 0, 0, 1)),
            None,
            Some(i64::MAX),
            Some(4),
            Some("1999-12-31 23:59:59.5"),
        ),
    ];
    (users, products, notes)
}

/// A SQLite URL for sea-orm's SQLite driver (sqlx), creating the file when `create`.
fn sqlite_url(path: &Path, create: bool) -> String {
    format!("sqlite://{}?mode={}", path.display(), if create { "rwc" } else { "ro" })
}

/// Every table through the entities, ordered by key.
async fn read_all(db: &DatabaseConnection) -> Result<Snapshot, String> {
    Ok(Snapshot {
        users: users::Entity::find().order_by_asc(users::Column::Id).all(db).await.map_err(|e| format!("users: {e}"))?,
        products: products::Entity::find().order_by_asc(products::Column::Id).all(db).await.map_err(|e| format!("products: {e}"))?,
        notes: notes::Entity::find().order_by_asc(notes::Column::Id).all(db).await.map_err(|e| format!("notes: {e}"))?,
    })
}

/// Users with their products, as the app's pages read them.
async fn users_with_products(db: &DatabaseConnection) -> Result<Vec<(users::Model, Vec<products::Model>)>, DbErr> {
    users::Entity::find().find_with_related(products::Entity).order_by_asc(users::Column::Id).order_by_asc(products::Column::Id).all(db).await
}

/// The application on a fresh SQLite file: its migrations, then its rows, written through its
/// entities. Returns the file and what each insert read back.
async fn build_app(work: &Workdir) -> (PathBuf, Snapshot) {
    let path = work.path().join("app.db");
    let db = Database::connect(sqlite_url(&path, true)).await.expect("open the app's SQLite file");
    migration::Migrator::up(&db, None).await.expect("the app's migrations on SQLite");
    let (users, products, notes) = app_rows();
    let mut inserted = Snapshot { users: Vec::new(), products: Vec::new(), notes: Vec::new() };
    for u in users {
        inserted.users.push(u.insert(&db).await.expect("insert a user on SQLite"));
    }
    for p in products {
        inserted.products.push(p.insert(&db).await.expect("insert a product on SQLite"));
    }
    for n in notes {
        inserted.notes.push(n.insert(&db).await.expect("insert a note on SQLite"));
    }
    db.close().await.expect("close SQLite");
    (path, inserted)
}

/// What the application meant to write, with the keys SQLite gave (1, 2, ...) and, where the
/// app left a timestamp to its default, the value the database chose (checked to be recent).
fn intended(read: &Snapshot) -> Snapshot {
    let (users, products, notes) = app_rows();
    let now = ChronoUtc::now();
    let recent = |t: DateTimeWithTimeZone, what: &str| {
        let age = now.signed_duration_since(t);
        assert!(age.num_seconds().abs() < 600, "{what}: the CURRENT_TIMESTAMP default read back as {t}, not now ({now})");
        t
    };
    let mut out = Snapshot { users: Vec::new(), products: Vec::new(), notes: Vec::new() };
    for (i, u) in users.into_iter().enumerate() {
        let got = &read.users[i];
        let defaulted = !u.created_at.is_set();
        out.users.push(users::Model {
            created_at: if defaulted { recent(got.created_at, "users.created_at") } else { value(u.created_at) },
            updated_at: if defaulted { recent(got.updated_at, "users.updated_at") } else { value(u.updated_at) },
            id: i32::try_from(i + 1).expect("few rows"),
            pid: value(u.pid),
            email: value(u.email),
            name: value(u.name),
            is_admin: value(u.is_admin),
            reset_sent_at: value(u.reset_sent_at),
        });
    }
    for (i, p) in products.into_iter().enumerate() {
        let got = &read.products[i];
        let defaulted = !p.created_at.is_set();
        out.products.push(products::Model {
            created_at: if defaulted { recent(got.created_at, "products.created_at") } else { value(p.created_at) },
            updated_at: if defaulted { recent(got.updated_at, "products.updated_at") } else { value(p.updated_at) },
            id: i32::try_from(i + 1).expect("few rows"),
            name: value(p.name),
            price: value(p.price),
            list_price: value(p.list_price),
            weight: value(p.weight),
            meta: value(p.meta),
            launched_on: value(p.launched_on),
            user_id: value(p.user_id),
            stock: value(p.stock),
        });
    }
    for (i, n) in notes.into_iter().enumerate() {
        let got = &read.notes[i];
        out.notes.push(notes::Model {
            id: i32::try_from(i + 1).expect("few rows"),
            title: value(n.title),
            body: value(n.body),
            tags: value(n.tags),
            extra: value(n.extra),
            remind_at: value(n.remind_at),
            attachment: value(n.attachment),
            views: if n.views.is_set() { value(n.views) } else { 0 },
            user_id: value(n.user_id),
            created_at: if n.created_at.is_set() { value(n.created_at) } else { recent(got.created_at.and_utc().fixed_offset(), "notes.created_at").naive_utc() },
        });
    }
    out
}

/// The value an ActiveModel field was set to.
fn value<V: Into<sea_orm::Value>>(v: sea_orm::ActiveValue<V>) -> V {
    v.unwrap()
}

/// Row-by-row differences between two reads of one table.
fn row_differences<M: Debug + PartialEq>(table: &str, left_name: &str, left: &[M], right_name: &str, right: &[M]) -> Vec<String> {
    let mut out = Vec::new();
    if left.len() != right.len() {
        out.push(format!("{table}: {} rows on {left_name}, {} on {right_name}", left.len(), right.len()));
    }
    for (i, (l, r)) in left.iter().zip(right).enumerate() {
        if l != r {
            out.push(format!("{table} row {}:\n  {left_name}: {l:?}\n  {right_name}: {r:?}", i + 1));
        }
    }
    out
}

fn snapshot_differences(left_name: &str, left: &Snapshot, right_name: &str, right: &Snapshot) -> Vec<String> {
    let mut out = row_differences("users", left_name, &left.users, right_name, &right.users);
    out.extend(row_differences("products", left_name, &left.products, right_name, &right.products));
    out.extend(row_differences("notes", left_name, &left.notes, right_name, &right.notes));
    out
}

/// How the two engines' reads differ where the models still compare equal: the scale of each
/// `Decimal` (equal by value) and the offset of each `DateTimeWithTimeZone` (equal as instants).
fn representation_notes(sqlite: &Snapshot, pg: &Snapshot) -> Vec<String> {
    let mut notes = Vec::new();
    let decimal = |what: String, s: &Decimal, p: &Decimal, notes: &mut Vec<String>| {
        notes.push(format!("{what}: SQLite reads {s} (scale {}), PostgreSQL {p} (scale {}); equal by value: {}; equal as text: {}", s.scale(), p.scale(), s == p, s.to_string() == p.to_string()));
    };
    let instant = |what: String, s: &DateTimeWithTimeZone, p: &DateTimeWithTimeZone, notes: &mut Vec<String>| {
        let (so, po) = (s.offset().local_minus_utc(), p.offset().local_minus_utc());
        notes.push(format!(
            "{what}: SQLite reads {} , PostgreSQL {}; same instant: {}; same offset: {}",
            s.to_rfc3339(),
            p.to_rfc3339(),
            s.timestamp_micros() == p.timestamp_micros() && s.timestamp_subsec_nanos() == p.timestamp_subsec_nanos(),
            so == po
        ));
    };
    for (s, p) in sqlite.products.iter().zip(&pg.products) {
        decimal(format!("products[{}].price", s.id), &s.price, &p.price, &mut notes);
        if let (Some(sl), Some(pl)) = (&s.list_price, &p.list_price) {
            decimal(format!("products[{}].list_price", s.id), sl, pl, &mut notes);
        }
        instant(format!("products[{}].created_at", s.id), &s.created_at, &p.created_at, &mut notes);
    }
    for (s, p) in sqlite.users.iter().zip(&pg.users) {
        instant(format!("users[{}].created_at", s.id), &s.created_at, &p.created_at, &mut notes);
        if let (Some(sr), Some(pr)) = (&s.reset_sent_at, &p.reset_sent_at) {
            instant(format!("users[{}].reset_sent_at", s.id), sr, pr, &mut notes);
        }
    }
    notes
}

fn sqlite_count(path: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open app.db");
    conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| r.get(0)).unwrap_or_else(|e| panic!("count {table} in SQLite: {e}"))
}

/// The app's SQLite file holds what sea-orm on SQLite makes: sea-query's SQLite type names in
/// the DDL, UUIDs as 16-byte blobs, RFC 3339 text with offsets, booleans as 0/1, decimals as
/// REAL. Without this, the test would not be testing a SeaORM SQLite database.
fn assert_sea_orm_sqlite_shapes(path: &Path) {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open app.db");
    let declared = |table: &str, column: &str| -> String {
        conn.query_row(&format!("SELECT type FROM pragma_table_info('{table}') WHERE name = ?1"), [column], |r| r.get(0)).unwrap_or_else(|e| panic!("{table}.{column}: {e}"))
    };
    for (table, column, ty) in [
        ("users", "pid", "uuid_text"),
        ("users", "created_at", "timestamp_with_timezone_text"),
        ("users", "is_admin", "boolean"),
        ("products", "price", "real(10, 2)"),
        ("products", "list_price", "real_decimal"),
        ("products", "weight", "double"),
        ("products", "meta", "json_text"),
        ("products", "launched_on", "date_text"),
        ("products", "stock", "integer"),
        ("notes", "tags", "jsonb_text"),
        ("notes", "remind_at", "time_text"),
        ("notes", "created_at", "timestamp_text"),
    ] {
        let got = declared(table, column);
        assert!(got.eq_ignore_ascii_case(ty), "declared type of {table}.{column}: {got}, expected {ty}");
    }
    let one = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{sql}: {e}")) };
    assert_eq!(one("SELECT group_concat(DISTINCT typeof(pid)) FROM users"), "blob");
    assert_eq!(one("SELECT group_concat(DISTINCT typeof(price)) FROM products"), "real");
    assert_eq!(one("SELECT group_concat(DISTINCT typeof(is_admin)) FROM users"), "integer");
    assert_eq!(one("SELECT created_at FROM users WHERE id = 2"), "2024-02-29T12:00:00.123456+05:30");
    let defaulted = one("SELECT created_at FROM users WHERE id = 4");
    assert!(defaulted.len() == 19 && defaulted.as_bytes()[10] == b' ', "CURRENT_TIMESTAMP text: {defaulted}");
}

/// The application's SQLite file and what its entities read there, after proving the harness
/// right: the file holds what sea-orm on SQLite makes, two reads agree, and the reads equal
/// what the inserts returned and what the app meant to write.
async fn app_on_sqlite(work: &Workdir) -> (PathBuf, Snapshot, Vec<(users::Model, Vec<products::Model>)>) {
    let (app_db, inserted) = build_app(work).await;
    assert_sea_orm_sqlite_shapes(&app_db);
    let sqlite = Database::connect(sqlite_url(&app_db, false)).await.expect("open app.db read-only");
    let on_sqlite = read_all(&sqlite).await.unwrap_or_else(|e| panic!("reading on SQLite: {e}"));
    let related_sqlite = users_with_products(&sqlite).await.expect("users with products on SQLite");
    let again = read_all(&sqlite).await.expect("reading on SQLite again");
    sqlite.close().await.expect("close SQLite");
    assert_eq!(on_sqlite, again, "two reads of SQLite differ");
    let differing = snapshot_differences("inserted", &inserted, "SQLite", &on_sqlite);
    assert!(differing.is_empty(), "SQLite reads other models than the inserts returned:\n{}", differing.join("\n"));
    let differing = snapshot_differences("intended", &intended(&on_sqlite), "SQLite", &on_sqlite);
    assert!(differing.is_empty(), "SQLite reads other values than the app wrote:\n{}", differing.join("\n"));
    assert_eq!(related_sqlite.iter().map(|(_, p)| p.len()).sum::<usize>(), on_sqlite.products.len());

    (app_db, on_sqlite, related_sqlite)
}

/// The application on PostgreSQL, with the same entities: every table reads the models it read
/// on SQLite (`Decimal` by value, date-times by instant; scales and offsets are printed), users
/// with their products read the same, its `Migrator` sees nothing pending and `up` is a no-op,
/// and new rows inserted through the entities get keys past the old ones and read back. Every
/// failure is collected, so that one run shows them all.
async fn app_on_postgres(pg: &TestDb, on_sqlite: &Snapshot, related_sqlite: &[(users::Model, Vec<products::Model>)]) -> Vec<String> {
    let mut failures: Vec<String> = Vec::new();
    let db = Database::connect(pg.url()).await.expect("sea-orm connects to PostgreSQL");
    let on_pg = match read_all(&db).await {
        Ok(on_pg) => Some(on_pg),
        Err(e) => {
            failures.push(format!("reading the migrated tables through the app's entities fails: {e}"));
            // What the app would read once its keys read: the same models with 64-bit keys.
            match read_all_wide(&db).await {
                Ok(wide) => Some(wide),
                Err(e) => {
                    failures.push(format!("even with 64-bit keys the models do not read: {e}"));
                    None
                }
            }
        }
    };
    if let Some(on_pg) = on_pg {
        let differing = snapshot_differences("SQLite", on_sqlite, "PostgreSQL", &on_pg);
        if !differing.is_empty() {
            failures.push(format!("the entities read other models on PostgreSQL:\n{}", differing.join("\n")));
        }
        eprintln!("seaorm_app: how equal values are represented:\n  {}", representation_notes(on_sqlite, &on_pg).join("\n  "));
    }
    // Per table too, so that one table's failure does not hide another's.
    if let Err(e) = users::Entity::find().order_by_asc(users::Column::Id).all(&db).await {
        failures.push(format!("users alone: {e}"));
    }
    if let Err(e) = products::Entity::find().order_by_asc(products::Column::Id).all(&db).await {
        failures.push(format!("products alone: {e}"));
    }
    if let Err(e) = notes::Entity::find().order_by_asc(notes::Column::Id).all(&db).await {
        failures.push(format!("notes alone: {e}"));
    }
    match users_with_products(&db).await {
        Err(e) => failures.push(format!("users with their products (find_with_related) fails on PostgreSQL: {e}")),
        Ok(related_pg) if related_pg != related_sqlite => failures.push(format!("users with their products differ:\n  SQLite: {related_sqlite:?}\n  PostgreSQL: {related_pg:?}")),
        Ok(_) => {}
    }
    // The app's own migrator (Loco runs it at boot): nothing pending, `up` a no-op.
    match migration::Migrator::get_pending_migrations(&db).await {
        Err(e) => failures.push(format!("the app's Migrator cannot read seaql_migrations on PostgreSQL: {e}")),
        Ok(pending) if !pending.is_empty() => failures.push(format!("the app's Migrator sees pending migrations: {:?}", pending.iter().map(|m| m.name().to_string()).collect::<Vec<_>>())),
        Ok(_) => {}
    }
    if let Err(e) = migration::Migrator::up(&db, None).await {
        failures.push(format!("the app's Migrator::up on the migrated database fails: {e}"));
    }

    // New rows through the entities: keys past the old ones, read back equal.
    let new_user = users::ActiveModel {
        created_at: Set(tz("2025-03-30T02:30:00+01:00")),
        updated_at: Set(tz("2025-03-30T02:30:00+01:00")),
        id: NotSet,
        pid: Set(Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0)),
        email: Set("new@example.com".to_string()),
        name: Set("Neue Benutzerin ß".to_string()),
        is_admin: Set(false),
        reset_sent_at: Set(None),
    };
    match new_user.insert(&db).await {
        Err(e) => {
            // Was the row written, and only its key not read back?
            let written = users::Entity::find().filter(users::Column::Email.eq("new@example.com")).into_model::<wide::User>().one(&db).await.map(|u| u.map(users::Model::from));
            failures.push(format!("inserting a user through the entity on PostgreSQL fails: {e}\n  the row in the database, read with a 64-bit key: {written:?}"));
        }
        Ok(u) => {
            let old_max = on_sqlite.users.iter().map(|u| u.id).max().unwrap_or(0);
            if u.id <= old_max {
                failures.push(format!("the new user got id {}, not past the old ones (max {old_max})", u.id));
            }
            match users::Entity::find_by_id(u.id).one(&db).await {
                Ok(Some(back)) if back == u => {}
                other => failures.push(format!("the new user reads back as {other:?}, inserted {u:?}")),
            }
            let new_product = products::ActiveModel {
                created_at: NotSet,
                updated_at: NotSet,
                id: NotSet,
                name: Set("Nachzügler".to_string()),
                price: Set(dec(1234, 2)),
                list_price: Set(Some(dec(5, 1))),
                weight: Set(0.3),
                meta: Set(json!({"new": true})),
                launched_on: Set(Some(date(2025, 3, 30))),
                user_id: Set(u.id),
                stock: Set(Some(1)),
            };
            match new_product.insert(&db).await {
                Err(e) => failures.push(format!("inserting a product through the entity on PostgreSQL fails: {e}")),
                Ok(p) => {
                    let old_max = on_sqlite.products.iter().map(|p| p.id).max().unwrap_or(0);
                    if p.id <= old_max {
                        failures.push(format!("the new product got id {}, not past the old ones (max {old_max})", p.id));
                    }
                    if p.price != dec(1234, 2) || p.meta != json!({"new": true}) {
                        failures.push(format!("the new product reads back as {p:?}"));
                    }
                    let age = ChronoUtc::now().signed_duration_since(p.created_at).num_seconds().abs();
                    if age > 600 {
                        failures.push(format!("the new product's created_at default gives {}, not now", p.created_at));
                    }
                }
            }
        }
    }
    let new_note = notes::ActiveModel {
        id: NotSet,
        title: Set("after the move".to_string()),
        body: Set(None),
        tags: Set(json!(["pg"])),
        extra: Set(Some(json!({"k": 1}))),
        remind_at: Set(Time::from_hms_micro_opt(12, 0, 0, 0)),
        attachment: Set(Some(vec![1, 2, 3])),
        views: NotSet,
        user_id: Set(Some(1)),
        created_at: NotSet,
    };
    match new_note.insert(&db).await {
        Err(e) => {
            let written = notes::Entity::find().filter(notes::Column::Title.eq("after the move")).into_model::<wide::Note>().one(&db).await.map(|n| n.map(notes::Model::from));
            failures.push(format!("inserting a note through the entity on PostgreSQL fails: {e}\n  the row in the database, read with a 64-bit key: {written:?}"));
        }
        Ok(n) => {
            let old_max = on_sqlite.notes.iter().map(|n| n.id).max().unwrap_or(0);
            if n.id <= old_max || n.views != 0 || n.attachment.as_deref() != Some(&[1, 2, 3][..]) {
                failures.push(format!("the new note reads back as {n:?} (old max id {old_max})"));
            }
        }
    }
    db.close().await.ok();
    failures
}

#[tokio::test]
async fn seaorm_app_reads_the_same_models_on_postgresql_after_migrate() {
    let started = Instant::now();
    let work = Workdir::new();
    let (app_db, on_sqlite, related_sqlite) = app_on_sqlite(&work).await;

    // 2. Migrate.
    let pg = TestDb::new("seaorm_app_migrate").await;
    let rejects = work.path().join("rejects.jsonl");
    let migrate_started = Instant::now();
    // sea-query declares i32 and i64 alike `integer` on SQLite, so the plan cannot tell the app's
    // i32 keys (entities made against PostgreSQL, as Loco's are) from i64 ones (as sea-orm-cli
    // reads them from SQLite, the default): it says so, and `--int-width int4` is the answer.
    let plain = run_cli(&["plan", &app_db.to_string_lossy()], work.path());
    assert!(
        stdout(&plain).contains("bigint") && stdout(&plain).contains("--int-width int4") || stderr(&plain).contains("--int-width int4"),
        "the plan names the integer-width ambiguity and the flag that resolves it:\n{}\n{}",
        stdout(&plain),
        stderr(&plain)
    );
    let o = run_cli(&["migrate", &app_db.to_string_lossy(), "--to", &pg.url(), "--int-width", "int4", "--rejects", &rejects.to_string_lossy()], work.path());
    eprintln!("seaorm_app: migrate took {:.2} s", migrate_started.elapsed().as_secs_f64());
    assert_eq!(o.status.code(), Some(0), "sqlite2pg migrate failed\n--- stdout ---\n{}\n--- stderr ---\n{}", stdout(&o), stderr(&o));
    let rejected = std::fs::read_to_string(&rejects).unwrap_or_default();
    assert!(rejected.trim().is_empty(), "rows were rejected:\n{rejected}");
    for table in TABLES.iter().chain(&["seaql_migrations"]) {
        assert_eq!(pg.int(&format!("SELECT count(*) FROM public.\"{table}\"")).await, sqlite_count(&app_db, table), "rows of {table} in PostgreSQL");
    }
    let mut column_types = Vec::new();
    for table in TABLES {
        let cols: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        )
        .bind(table)
        .fetch_all(&pg.pool)
        .await
        .expect("column types");
        column_types.push(format!("{table}: {}", cols.iter().map(|(n, t)| format!("{n} {t}")).collect::<Vec<_>>().join(", ")));
    }
    let plan = run_cli(&["plan", &app_db.to_string_lossy()], work.path());
    eprintln!("seaorm_app: the plan of the app's SQLite file:\n{}", stdout(&plan));
    eprintln!("seaorm_app: PostgreSQL column types after migrate:\n  {}", column_types.join("\n  "));

    let failures = app_on_postgres(&pg, &on_sqlite, &related_sqlite).await;
    eprintln!("seaorm_app: end to end {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "{} failure(s) of the SeaORM app on the PostgreSQL database `sqlite2pg migrate` made (the app's SQLite file is {}, the database {}):\n\n{}",
        failures.len(),
        app_db.display(),
        pg.name,
        failures.join("\n\n")
    );
}

/// The other route for an app whose migrations own its schema: the app's own `Migrator` builds
/// the PostgreSQL schema (sea-query's PostgreSQL types: `integer` identity keys, `jsonb`,
/// `timestamp with time zone`, ...), `sqlite2pg copy --truncate` fills it (keeping the
/// `seaql_migrations` rows the migrator wrote), and the app must read what it read on SQLite.
#[tokio::test]
async fn seaorm_app_reads_the_same_models_on_its_own_postgresql_schema_after_copy() {
    let work = Workdir::new();
    let (app_db, on_sqlite, related_sqlite) = app_on_sqlite(&work).await;

    let pg = TestDb::new("seaorm_app_own_schema").await;
    let db = Database::connect(pg.url()).await.expect("sea-orm connects to PostgreSQL");
    migration::Migrator::up(&db, None).await.expect("the app's migrations on PostgreSQL");
    db.close().await.ok();
    let rejects = work.path().join("rejects.jsonl");
    let o = run_cli(&["copy", &app_db.to_string_lossy(), "--to", &pg.url(), "--truncate", "--rejects", &rejects.to_string_lossy()], work.path());
    assert_eq!(o.status.code(), Some(0), "sqlite2pg copy --truncate failed\n--- stdout ---\n{}\n--- stderr ---\n{}", stdout(&o), stderr(&o));
    let rejected = std::fs::read_to_string(&rejects).unwrap_or_default();
    assert!(rejected.trim().is_empty(), "rows were rejected:\n{rejected}");
    for table in TABLES.iter().chain(&["seaql_migrations"]) {
        assert_eq!(pg.int(&format!("SELECT count(*) FROM public.\"{table}\"")).await, sqlite_count(&app_db, table), "rows of {table} in PostgreSQL");
    }
    let o = run_cli(&["verify", &app_db.to_string_lossy(), "--to", &pg.url(), "--rejects", &rejects.to_string_lossy()], work.path());
    assert_eq!(o.status.code(), Some(0), "sqlite2pg verify failed\n--- stdout ---\n{}\n--- stderr ---\n{}", stdout(&o), stderr(&o));

    let failures = app_on_postgres(&pg, &on_sqlite, &related_sqlite).await;

    // The comparison sees a cent: one price changed behind the app's back is one difference.
    pg.must_apply("UPDATE products SET price = price + 0.01 WHERE id = 1").await;
    let db = Database::connect(pg.url()).await.expect("sea-orm connects to PostgreSQL");
    let mut changed = read_all(&db).await.expect("the app's entities read its own schema");
    db.close().await.ok();
    // Without the rows the app added on PostgreSQL.
    changed.users.truncate(on_sqlite.users.len());
    changed.products.truncate(on_sqlite.products.len());
    changed.notes.truncate(on_sqlite.notes.len());
    let seen = snapshot_differences("SQLite", &on_sqlite, "PostgreSQL", &changed);
    assert!(seen.len() == 1 && seen[0].starts_with("products row 1:"), "a changed price is not seen as one difference: {seen:?}");

    assert!(
        failures.is_empty(),
        "{} failure(s) of the SeaORM app on its own PostgreSQL schema filled by `sqlite2pg copy` (the app's SQLite file is {}, the database {}):\n\n{}",
        failures.len(),
        app_db.display(),
        pg.name,
        failures.join("\n\n")
    );
}

/// One entity field: its Rust type and its `#[sea_orm(...)]` attribute arguments.
#[derive(Debug, PartialEq)]
struct Field {
    ty: String,
    attrs: BTreeSet<String>,
}

/// One entity: the SQL table and the fields of its `Model`, by name.
#[derive(Debug, PartialEq)]
struct EntityShape {
    table: String,
    fields: BTreeMap<String, Field>,
    /// Relation variants and their kind (`belongs_to = ...`, `has_many = ...`).
    relations: BTreeSet<String>,
}

fn tokens(t: &impl ToTokens) -> String {
    t.to_token_stream().to_string().split_whitespace().collect::<Vec<_>>().join(" ").replace(" < ", "<").replace(" <", "<").replace("< ", "<").replace(" >", ">").replace(" ,", ",")
}

/// The arguments of `#[sea_orm(...)]` attributes, one string each (`primary_key`,
/// `column_type = "Text"`, `belongs_to = "super::users::Entity"`).
fn sea_orm_args(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("sea_orm")) {
        let args = a.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated).unwrap_or_else(|e| panic!("#[sea_orm] attribute does not parse: {e}: {}", tokens(a)));
        out.extend(args.iter().map(|m| tokens(m).replace(" = ", "=")));
    }
    out
}

/// The shape of an entity file: `table_name`, the `Model`'s fields, the `Relation` variants.
fn entity_shape(file: &str, code: &str) -> EntityShape {
    let parsed = syn::parse_file(code).unwrap_or_else(|e| panic!("{file} does not parse: {e}\n{code}"));
    let mut shape = EntityShape { table: String::new(), fields: BTreeMap::new(), relations: BTreeSet::new() };
    for item in &parsed.items {
        match item {
            syn::Item::Struct(s) if s.ident == "Model" => {
                shape.table = sea_orm_args(&s.attrs).into_iter().find_map(|a| a.strip_prefix("table_name=").map(|t| t.trim_matches('"').to_string())).unwrap_or_default();
                for f in &s.fields {
                    let name = f.ident.as_ref().map(ToString::to_string).unwrap_or_default();
                    shape.fields.insert(name, Field { ty: tokens(&f.ty), attrs: sea_orm_args(&f.attrs).into_iter().collect() });
                }
            }
            syn::Item::Enum(e) if e.ident == "Relation" => {
                for v in &e.variants {
                    let kind = sea_orm_args(&v.attrs).into_iter().filter(|a| a.starts_with("belongs_to") || a.starts_with("has_many") || a.starts_with("has_one")).collect::<Vec<_>>().join(" ");
                    shape.relations.insert(format!("{} ({kind})", v.ident));
                }
            }
            _ => {}
        }
    }
    assert!(!shape.fields.is_empty(), "{file}: no `struct Model` with fields:\n{code}");
    shape
}

/// Entity files by file name (`users.rs`), leaving out the module, prelude and lib files.
fn entity_shapes(files: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, EntityShape> {
    files
        .into_iter()
        .filter(|(name, _)| !matches!(name.as_str(), "mod.rs" | "lib.rs" | "prelude.rs" | "sea_orm_active_enums.rs"))
        .map(|(name, code)| {
            let shape = entity_shape(&name, &code);
            (name, shape)
        })
        .collect()
}

/// A primary key field's marker.
fn is_key(f: &Field) -> bool {
    f.attrs.contains("primary_key")
}

/// Differences that change what the application reads or writes: entities present on one side
/// only, table names, fields present on one side only, a field's Rust type, the primary key.
/// Attribute differences that only matter to schema creation (`column_type`, `unique`, ...) go
/// to `notes`.
fn entity_differences(ours: &BTreeMap<String, EntityShape>, theirs: &BTreeMap<String, EntityShape>, notes: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (file, t) in theirs {
        let Some(o) = ours.get(file) else {
            out.push(format!("{file}: written by sea-orm-cli, not by generate"));
            continue;
        };
        if o.table != t.table {
            out.push(format!("{file}: table_name {:?} (generate) vs {:?} (sea-orm-cli)", o.table, t.table));
        }
        for (name, tf) in &t.fields {
            match o.fields.get(name) {
                None => out.push(format!("{file}: field `{name}: {}` only in sea-orm-cli's entity", tf.ty)),
                Some(of) => {
                    if of.ty != tf.ty {
                        out.push(format!("{file}: field `{name}`: generate says `{}`, sea-orm-cli says `{}`", of.ty, tf.ty));
                    }
                    if is_key(of) != is_key(tf) {
                        out.push(format!("{file}: field `{name}`: primary key in {} only", if is_key(of) { "generate" } else { "sea-orm-cli" }));
                    }
                    if of.attrs != tf.attrs {
                        notes.push(format!("{file}: field `{name}` attributes: generate {:?}, sea-orm-cli {:?}", of.attrs, tf.attrs));
                    }
                }
            }
        }
        for (name, of) in o.fields.iter().filter(|(n, _)| !t.fields.contains_key(*n)) {
            out.push(format!("{file}: field `{name}: {}` only in generate's entity", of.ty));
        }
        if o.relations != t.relations {
            notes.push(format!("{file}: relations: generate {:?}, sea-orm-cli {:?}", o.relations, t.relations));
        }
    }
    for file in ours.keys().filter(|f| !theirs.contains_key(*f)) {
        out.push(format!("{file}: written by generate, not by sea-orm-cli"));
    }
    out
}

/// What `sea-orm-cli generate entity -u sqlite://app.db -o DIR` writes, with its defaults:
/// sea-schema's SQLite discovery and `merge_indexes_into_table`, tables starting with `_` and
/// `seaql_migrations` left out (`--ignore-tables` defaults to it), generated columns dropped,
/// compact format, prelude, no serde, chrono, i64 for BIGINT, `mod.rs`, `ActiveModelBehavior`
/// impls, banner with the minor version.
async fn sea_orm_cli_entities(app_db: &Path) -> Vec<(String, String)> {
    use sea_orm_codegen::{BannerVersion, BigIntegerType, DateTimeCrate, EntityFormat, EntityTransformer, EntityWriterContext, WithPrelude, WithSerde};
    use sea_schema::sqlite::def::ColumnVisibility;
    use sea_schema::sqlite::discovery::SchemaDiscovery;

    let db = Database::connect(sqlite_url(app_db, false)).await.expect("open app.db read-only");
    let schema = SchemaDiscovery::new(db.get_sqlite_connection_pool().clone()).discover().await.expect("sea-schema SQLite discovery").merge_indexes_into_table();
    let ignore_tables = ["seaql_migrations"];
    let statements: Vec<_> = schema
        .tables
        .into_iter()
        .filter(|t| !t.name.starts_with('_'))
        .filter(|t| !ignore_tables.contains(&t.name.as_str()))
        .map(|mut t| {
            t.columns.retain(|c| !matches!(c.hidden, ColumnVisibility::GeneratedVirtual | ColumnVisibility::GeneratedStored));
            t.write()
        })
        .collect();
    db.close().await.ok();
    let context = EntityWriterContext::new(
        EntityFormat::default(),
        WithPrelude::All,
        WithSerde::None,
        false,
        DateTimeCrate::Chrono,
        BigIntegerType::I64,
        None,
        false,
        false,
        false,
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        false,
        true,
        BannerVersion::default(),
    );
    let output = EntityTransformer::transform(statements).expect("sea-orm-codegen transform").generate(&context);
    output.files.into_iter().map(|f| (f.name, f.content)).collect()
}

/// The files `sqlite2pg generate app.db --entities DIR --migrator DIR` writes into DIR.
fn generated_entities(work: &Workdir, app_db: &Path) -> Vec<(String, String)> {
    let entities = work.path().join("entities");
    let migrator = work.path().join("migrator");
    let o = run_cli(&["generate", &app_db.to_string_lossy(), "--entities", &entities.to_string_lossy(), "--migrator", &migrator.to_string_lossy()], work.path());
    assert_eq!(o.status.code(), Some(0), "sqlite2pg generate failed\n--- stdout ---\n{}\n--- stderr ---\n{}", stdout(&o), stderr(&o));
    let mut files: Vec<(String, String)> = std::fs::read_dir(&entities)
        .expect("the entities folder")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).expect("read an entity file")))
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn seaorm_app_entities_match_what_sea_orm_cli_generates_from_its_sqlite_file() {
    let work = Workdir::new();
    let (app_db, _) = build_app(&work).await;

    let theirs = entity_shapes(sea_orm_cli_entities(&app_db).await);
    assert_eq!(theirs.keys().cloned().collect::<Vec<_>>(), ["notes.rs", "products.rs", "users.rs"], "sea-orm-cli's entity files");

    // The comparison finds what it should: nothing between a side and itself, and a changed
    // type, a missing field and a changed key when they are there.
    let mut scratch = Vec::new();
    assert!(entity_differences(&theirs, &theirs, &mut scratch).is_empty() && scratch.is_empty());
    let mut changed = entity_shapes(sea_orm_cli_entities(&app_db).await);
    let users = changed.get_mut("users.rs").expect("users.rs");
    users.fields.get_mut("email").expect("users.email").ty = "i32".to_string();
    users.fields.remove("name");
    users.fields.get_mut("id").expect("users.id").attrs.remove("primary_key");
    assert_eq!(entity_differences(&changed, &theirs, &mut scratch).len(), 3, "the comparison misses a difference");

    let generated = generated_entities(&work, &app_db);
    let bookkeeping = generated.iter().any(|(name, _)| name == "seaql_migrations.rs");
    eprintln!("seaorm_app: generate wrote {:?}; seaql_migrations.rs among them: {bookkeeping}", generated.iter().map(|(n, _)| n).collect::<Vec<_>>());
    let ours = entity_shapes(generated.into_iter().filter(|(name, _)| name != "seaql_migrations.rs"));

    let mut notes = Vec::new();
    let mut differing = entity_differences(&ours, &theirs, &mut notes);
    // Deliberate: sea-orm-cli reads sea-query's SQLite `timestamp_text` as `Timestamp`
    // (DateTimeUtc), but the column sea-query makes for it on PostgreSQL is `timestamp` without
    // a zone, from which sqlx decodes no DateTime<Utc> (only from timestamptz); `generate` writes
    // the type that reads the PostgreSQL column, and the app's own entity uses it too.
    let deliberate = ["notes.rs: field `created_at`: generate says `DateTime`, sea-orm-cli says `DateTimeUtc`"];
    for d in deliberate {
        assert!(differing.iter().any(|x| x == d), "the deliberate deviation is gone, drop it from the list: {d}\n{differing:#?}");
    }
    differing.retain(|x| !deliberate.contains(&x.as_str()));
    eprintln!("seaorm_app: cosmetic (schema-only) differences:\n  {}", if notes.is_empty() { "none".to_string() } else { notes.join("\n  ") });
    for (file, shape) in &theirs {
        eprintln!("seaorm_app: sea-orm-cli {file}: {}", shape.fields.iter().map(|(n, f)| format!("{n}: {}", f.ty)).collect::<Vec<_>>().join(", "));
        if let Some(o) = ours.get(file) {
            eprintln!("seaorm_app: generate    {file}: {}", o.fields.iter().map(|(n, f)| format!("{n}: {}", f.ty)).collect::<Vec<_>>().join(", "));
        }
    }
    assert!(
        differing.is_empty(),
        "{} difference(s) between the entities `sqlite2pg generate` writes and those `sea-orm-cli generate entity` writes from the app's SQLite file:\n  {}\n(schema-only attribute differences, not asserted:\n  {})",
        differing.len(),
        differing.join("\n  "),
        notes.join("\n  ")
    );
}
