//! Package queries: versions, files and blobs.

use aws_lc_rs::digest::{SHA256, digest};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use sea_orm::sea_query::Expr;

use entities::{blob, package, package_file};

/// Course IRIs can be long; keys longer than an index likes are hashed.
pub fn course_key(course_id: &str) -> String {
    if course_id.len() <= 200 {
        course_id.to_owned()
    } else {
        format!(
            "sha256:{}",
            hex::encode(digest(&SHA256, course_id.as_bytes()))
        )
    }
}

pub async fn by_content_hash(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<package::Model>, DbErr> {
    package::Entity::find()
        .filter(package::Column::ContentHash.eq(hash))
        .one(conn)
        .await
}

pub async fn by_seq(
    conn: &impl ConnectionTrait,
    seq: i64,
) -> Result<Option<package::Model>, DbErr> {
    package::Entity::find_by_id(seq).one(conn).await
}

pub async fn by_slug(
    conn: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<package::Model>, DbErr> {
    package::Entity::find()
        .filter(package::Column::Slug.eq(slug))
        .one(conn)
        .await
}

/// Up to `limit` package versions with `seq` below `before`, newest import first (a
/// keyset page of every version of every course, retired ones included).
pub async fn versions_page(
    conn: &impl ConnectionTrait,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<package::Model>, DbErr> {
    let mut query = package::Entity::find().order_by_desc(package::Column::Seq);
    if let Some(before) = before {
        query = query.filter(package::Column::Seq.lt(before));
    }
    query.limit(limit).all(conn).await
}

/// The catalog: the newest version of every course that is not retired, ordered by
/// course title. Everything that offers courses (the API, Deep Linking, launches by AU)
/// reads it, so a retired course leaves all of them at once.
pub async fn latest_of_each(conn: &impl ConnectionTrait) -> Result<Vec<package::Model>, DbErr> {
    let mut all = latest_of_each_with_retired(conn).await?;
    all.retain(|p| p.retired_us.is_none());
    Ok(all)
}

/// The newest version of every course, retired ones included, ordered by course title.
pub async fn latest_of_each_with_retired(
    conn: &impl ConnectionTrait,
) -> Result<Vec<package::Model>, DbErr> {
    let all = package::Entity::find()
        .order_by_asc(package::Column::CourseKey)
        .order_by_desc(package::Column::Version)
        .all(conn)
        .await?;
    let mut latest: Vec<package::Model> = Vec::new();
    for model in all {
        if latest.last().map(|l| &l.course_key) != Some(&model.course_key) {
            latest.push(model);
        }
    }
    latest.sort_by(|a, b| a.title.cmp(&b.title).then(a.course_id.cmp(&b.course_id)));
    Ok(latest)
}

/// The newest version of one course.
pub async fn latest_of(
    conn: &impl ConnectionTrait,
    course_id: &str,
) -> Result<Option<package::Model>, DbErr> {
    package::Entity::find()
        .filter(package::Column::CourseKey.eq(course_key(course_id)))
        .order_by_desc(package::Column::Version)
        .one(conn)
        .await
}

/// The newest version of the course named by its slug (any version's) or its id.
pub async fn find_course(
    conn: &impl ConnectionTrait,
    course: &str,
) -> Result<Option<package::Model>, DbErr> {
    let course_id = match by_slug(conn, course).await? {
        Some(model) => model.course_id,
        None => course.to_owned(),
    };
    latest_of(conn, &course_id).await
}

/// Retires (`Some(time)`) or restores (`None`) every version of a course.
pub async fn set_retired(
    conn: &impl ConnectionTrait,
    course_key: &str,
    retired_us: Option<i64>,
) -> Result<(), DbErr> {
    package::Entity::update_many()
        .col_expr(package::Column::RetiredUs, Expr::value(retired_us))
        .filter(package::Column::CourseKey.eq(course_key))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn file(
    conn: &impl ConnectionTrait,
    package_seq: i64,
    path: &str,
) -> Result<Option<package_file::Model>, DbErr> {
    package_file::Entity::find_by_id((package_seq, path.to_owned()))
        .one(conn)
        .await
}

pub async fn blob(conn: &impl ConnectionTrait, sha256: &str) -> Result<Option<Vec<u8>>, DbErr> {
    blob::Entity::find_by_id(sha256.to_owned())
        .select_only()
        .column(blob::Column::Content)
        .into_tuple::<Vec<u8>>()
        .one(conn)
        .await
}
