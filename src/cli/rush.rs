//! The deadline rush of a selection (`smarteka bench --selection-rush N`):
//! N authors from every region put their practices forward over HTTP in
//! the last hour before intake closes, a tenth of them arriving after it.
//! Every application is answered; those accepted are all kept, those late
//! refused saying so; none is lost. On loopback, with an in-process server
//! on a clock of its own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::clock::{Clock, FixedClock};
use crate::domain::selection::{Criterion, Dates, Partner, PartnerKind, Selection};
use crate::domain::{PracticeStatus, RoleGrant};
use crate::service::Ctx;
use crate::store::{Mutation, Record, Session, Store};
use crate::sync::protocol::{
    BINARY, Op, OpKind, OpResult, PROTOCOL, PROTOCOL_HEADER, PushReply, PushRequest, decode_body,
    encode_body,
};

/// What the rush came to.
#[derive(Debug, Clone, Default)]
pub struct Rush {
    pub sent: usize,
    pub regions: usize,
    pub accepted: usize,
    /// Refused because they reached the server after intake closed.
    pub late: usize,
    /// Any other answer: none is expected.
    pub other: Vec<String>,
    /// Applications the server holds afterwards.
    pub kept: usize,
    pub wall: Duration,
    pub p99: Duration,
}

/// How many applications are on the wire at once.
const AT_ONCE: usize = 64;

fn e(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs the rush of `n` applications; see the module's text.
#[allow(clippy::too_many_lines)] // one scenario, set up and run
pub fn selection_rush(n: usize) -> Result<Rush, String> {
    use sha2::Digest as _;
    let dir = tempfile::tempdir().map_err(e)?;
    let store = Arc::new(Store::open(dir.path()).map_err(e)?);
    let deadline = chrono::NaiveDate::from_ymd_opt(2027, 4, 15).ok_or("неверная дата")?;
    // The days are the machine's (as the workstation's are): the last hour
    // and half past midnight in its time zone.
    let local = |d: chrono::NaiveDate, h: u32, m: u32| {
        d.and_hms_opt(h, m, 0)
            .and_then(|t| t.and_local_timezone(chrono::Local).earliest())
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or("неверное время")
    };
    let clock = Arc::new(FixedClock::new(local(deadline, 23, 0)?));
    crate::demo::seed_at(&store, 40, 1, clock.now(), |_, _| {}).map_err(e)?;
    let cx = Ctx::new(&store, clock.as_ref());
    let asi = store
        .user_by_login("asi")
        .map_err(e)?
        .ok_or("в демо нет пользователя asi")?;
    let template = store
        .user_by_login("author")
        .map_err(e)?
        .ok_or("в демо нет пользователя author")?;
    let draft = store
        .practices()
        .filter_map(Result::ok)
        .find(|p| p.author == template.id && p.status == PracticeStatus::Draft)
        .ok_or("у автора демо нет черновика")?;
    let partner = crate::service::selections::save_partner(
        &cx,
        &asi,
        Partner {
            id: uuid::Uuid::now_v7(),
            name: "Комиссия Государственного Совета".into(),
            kind: PartnerKind::Commission,
            contacts: String::new(),
            representatives: Vec::new(),
        },
    )
    .map_err(e)?;
    let criterion = "Практика реализуется не менее года".to_owned();
    let s = crate::service::selections::save_selection(
        &cx,
        &asi,
        Selection {
            id: uuid::Uuid::now_v7(),
            partner: partner.id,
            title: "Отбор под нагрузкой".into(),
            theme: "Заявки в последний час".into(),
            categories: Vec::new(),
            criteria: vec![Criterion {
                name: criterion.clone(),
                max_score: None,
            }],
            dates: Dates {
                requested: deadline - chrono::Duration::days(100),
                opens: deadline - chrono::Duration::days(30),
                closes: deadline,
                evaluation_ends: deadline + chrono::Duration::days(10),
                results: deadline + chrono::Duration::days(15),
            },
            experts: Vec::new(),
            regulations: String::new(),
            winners: Vec::new(),
        },
    )
    .map_err(e)?;

    // An author of each region in turn, each with a draft of their own.
    let regions: Vec<String> = crate::domain::refdata::refdata()
        .regions
        .iter()
        .map(|r| r.code.clone())
        .collect();
    let mut clients = Vec::with_capacity(n);
    let mut batch = Mutation::new(None, "bench.rush", "авторы для замера");
    for i in 0..n {
        let region = regions[i % regions.len()].clone();
        let mut u = template.clone();
        u.id = uuid::Uuid::now_v7();
        u.login = format!("rush{i}");
        u.profile.region = Some(region.clone());
        u.roles = vec![RoleGrant {
            role: crate::domain::Role::Author,
            region: Some(region.clone()),
            categories: Vec::new(),
        }];
        let mut p = draft.clone();
        p.id = uuid::Uuid::now_v7();
        p.author = u.id;
        p.passport.team.clear();
        p.passport.regions.author = Some(region);
        let token = format!("{:064x}", rand::random::<u128>());
        store
            .put_session(
                &sha2::Sha256::digest(token.as_bytes()),
                &Session {
                    user: u.id,
                    created: clock.now(),
                    expires: clock.now() + chrono::Duration::days(3),
                },
            )
            .map_err(e)?;
        clients.push((token, p.id));
        batch = batch
            .with(Record::User(Box::new(u)))
            .with(Record::Practice(Box::new(p)));
        if batch.records.len() >= 400 || i + 1 == n {
            store.commit(&batch).map_err(e)?;
            batch = Mutation::new(None, "bench.rush", "авторы для замера");
        }
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(e)?;
    let app = crate::server::router(
        crate::server::AppState::new(store.clone(), chrono::Duration::hours(1))
            .with_clock(clock.clone()),
        Duration::from_secs(60),
    );
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(e)?;
    let url = format!("http://{}/api/push", listener.local_addr().map_err(e)?);
    runtime.spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });

    // Each client asks, as `smarteka sync` does, whether news waits after
    // the cursor it pulled to before the rush.
    let cursor = store.last_seq().map_err(e)?;
    // Nine in ten before midnight, the rest after it.
    let on_time = n - n / 10;
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut answers = Vec::with_capacity(n);
    for (k, part) in [&clients[..on_time], &clients[on_time..]]
        .into_iter()
        .enumerate()
    {
        if k == 1 {
            clock.set(local(deadline + chrono::Duration::days(1), 0, 30)?);
        }
        answers.extend(runtime.block_on(push_all(
            &http,
            &url,
            part,
            s.id,
            &criterion,
            (clock.now(), cursor),
        ))?);
    }
    let wall = started.elapsed();
    let mut rush = Rush {
        sent: n,
        regions: regions.len().min(n),
        wall,
        ..Rush::default()
    };
    let mut times = Vec::with_capacity(n);
    for (took, r) in answers {
        times.push(took);
        match r {
            OpResult::Applied => rush.accepted += 1,
            OpResult::Rejected { reason } if reason.contains("закончился") => {
                rush.late += 1;
            }
            OpResult::Rejected { reason } => rush.other.push(reason),
            OpResult::Conflict { .. } => rush.other.push("конфликт".into()),
        }
    }
    times.sort();
    rush.p99 = times
        .get((times.len().saturating_sub(1) * 99) / 100)
        .copied()
        .unwrap_or_default();
    rush.kept = store.entries(s.id).map_err(e)?.len();
    drop(runtime);
    Ok(rush)
}

/// Each client's one application, `AT_ONCE` on the wire at a time: how
/// long each took and the server's answer.
async fn push_all(
    http: &reqwest::Client,
    url: &str,
    clients: &[(String, uuid::Uuid)],
    selection: uuid::Uuid,
    criterion: &str,
    (at, cursor): (chrono::DateTime<chrono::Utc>, u64),
) -> Result<Vec<(Duration, OpResult)>, String> {
    let gate = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let mut tasks = Vec::with_capacity(clients.len());
    for (token, practice) in clients {
        let req = PushRequest {
            client: uuid::Uuid::now_v7(),
            ops: vec![Op {
                seq: 1,
                at,
                kind: OpKind::Enter {
                    selection,
                    practice: *practice,
                    confirmed: vec![criterion.to_owned()],
                },
            }],
            since: Some(cursor),
            seen: None,
        };
        let body = encode_body(&req, true)?;
        let (http, url, token, gate) = (http.clone(), url.to_owned(), token.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _slot = gate.acquire_owned().await.map_err(e)?;
            let t = Instant::now();
            let r = http
                .post(url)
                .header(PROTOCOL_HEADER, PROTOCOL.to_string())
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", BINARY)
                .header("accept", BINARY)
                .body(body)
                .send()
                .await
                .map_err(e)?;
            if !r.status().is_success() {
                return Err(format!("сервер ответил {}", r.status()));
            }
            let reply: PushReply = decode_body(&r.bytes().await.map_err(e)?, true, 1 << 24)?;
            let result = reply
                .results
                .into_iter()
                .find(|(seq, _)| *seq == 1)
                .map(|(_, r)| r)
                .ok_or("сервер не ответил на заявку")?;
            Ok::<_, String>((t.elapsed(), result))
        }));
    }
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.map_err(e)??);
    }
    Ok(out)
}
