//! The background worker: store queries, search and password checks run
//! here and answer with replies, so typing never waits. A burst of search
//! requests is collapsed to the newest one.

use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::mpsc::UnboundedSender;

use crate::auth::verify_password;
use crate::domain::passport::Member;
use crate::domain::refdata::refdata;
use crate::domain::{Practice, PracticeId, User};
use crate::search::{FacetCounts, SearchIndex, SearchQuery};
use crate::store::{Store, Summary};

/// One catalogue row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: PracticeId,
    pub title: String,
    pub region: String,
    pub category: String,
    pub level: String,
    pub status: String,
    pub year: String,
}

impl Row {
    pub fn of(s: &Summary) -> Self {
        let d = refdata();
        Self {
            id: s.id,
            title: s.title.clone(),
            region: s
                .region
                .as_deref()
                .map(|r| d.region_name(r).to_owned())
                .unwrap_or_default(),
            category: match s.category.as_deref() {
                Some(c) => d.category_name(c).to_owned(),
                None => "Не выбрана".to_owned(),
            },
            level: s.level.map(|l| l.to_string()).unwrap_or_default(),
            status: s.status.name().to_owned(),
            year: s.year.map(|y| y.to_string()).unwrap_or_default(),
        }
    }
}

/// A practice with the names the passport view shows.
#[derive(Debug, Clone)]
pub struct PracticeView {
    pub practice: Practice,
    pub author: String,
    /// (name, mentor) per team member; invitations show the e-mail.
    pub team: Vec<(String, bool)>,
}

#[derive(Debug, Clone)]
pub enum Request {
    Search {
        tag: u64,
        query: SearchQuery,
    },
    Facets {
        tag: u64,
        query: SearchQuery,
    },
    Practice {
        id: PracticeId,
        user: Option<Box<User>>,
    },
    Login {
        login: String,
        password: String,
    },
}

#[derive(Debug, Clone)]
pub enum Reply {
    Search {
        tag: u64,
        total: usize,
        rows: Vec<Row>,
    },
    Facets {
        tag: u64,
        counts: FacetCounts,
    },
    Practice(Result<Box<PracticeView>, String>),
    Login(Result<Box<User>, String>),
    /// A request superseded by a newer one of the same kind.
    Stale,
    Error(String),
}

#[derive(Clone)]
pub struct Worker {
    pub store: Arc<Store>,
    pub index: Arc<SearchIndex>,
}

impl Worker {
    /// Starts the worker thread.
    pub fn spawn(self, replies: UnboundedSender<Reply>) -> mpsc::Sender<Request> {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("smarteka-worker".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while let Ok(more) = rx.try_recv() {
                        batch.push(more);
                    }
                    let last_search = batch
                        .iter()
                        .rposition(|r| matches!(r, Request::Search { .. }));
                    let last_facets = batch
                        .iter()
                        .rposition(|r| matches!(r, Request::Facets { .. }));
                    for (i, req) in batch.into_iter().enumerate() {
                        let stale = match req {
                            Request::Search { .. } => Some(i) != last_search,
                            Request::Facets { .. } => Some(i) != last_facets,
                            _ => false,
                        };
                        let reply = if stale {
                            Reply::Stale
                        } else {
                            self.process(req)
                        };
                        if replies.send(reply).is_err() {
                            return;
                        }
                    }
                }
            })
            .unwrap_or_else(|e| panic!("cannot start the worker thread: {e}"));
        tx
    }

    /// Answers one request.
    pub fn process(&self, req: Request) -> Reply {
        match req {
            Request::Search { tag, query } => match self.index.search(&query) {
                Ok(r) => {
                    let mut rows = Vec::with_capacity(r.ids.len());
                    for id in r.ids {
                        if let Ok(Some(s)) = self.store.summary(id) {
                            rows.push(Row::of(&s));
                        }
                    }
                    Reply::Search {
                        tag,
                        total: r.total,
                        rows,
                    }
                }
                Err(e) => Reply::Error(e.to_string()),
            },
            Request::Facets { tag, query } => match self.index.facet_counts(&query) {
                Ok(counts) => Reply::Facets { tag, counts },
                Err(e) => Reply::Error(e.to_string()),
            },
            Request::Practice { id, user } => Reply::Practice(self.practice(id, user.as_deref())),
            Request::Login { login, password } => Reply::Login(self.login(&login, &password)),
        }
    }

    fn practice(&self, id: PracticeId, user: Option<&User>) -> Result<Box<PracticeView>, String> {
        load_view(&self.store, id, user)
    }

    fn login(&self, login: &str, password: &str) -> Result<Box<User>, String> {
        const REFUSED: &str = "Неверный логин или пароль.";
        let user = self
            .store
            .user_by_login(login.trim())
            .map_err(|e| e.to_string())?
            .ok_or(REFUSED)?;
        if user.disabled {
            return Err("Учётная запись отключена. Обратитесь к модератору АСИ.".to_owned());
        }
        if user.password_hash.is_empty() || !verify_password(password, &user.password_hash) {
            return Err(REFUSED.to_owned());
        }
        Ok(Box::new(user))
    }
}

fn name_of(store: &Store, id: crate::domain::UserId) -> String {
    match store.user(id) {
        Ok(Some(u)) if !u.profile.full_name.is_empty() => u.profile.full_name,
        Ok(Some(u)) => u.login,
        _ => "Неизвестный пользователь".to_owned(),
    }
}

/// A practice with its people's names, if `user` may read it.
pub fn load_view(
    store: &Store,
    id: PracticeId,
    user: Option<&User>,
) -> Result<Box<PracticeView>, String> {
    let p = store
        .practice(id)
        .map_err(|e| e.to_string())?
        .ok_or("Практика не найдена.")?;
    if !crate::domain::access::read_scope(user).can_read(&p) {
        return Err("Практика не найдена или недоступна вам.".to_owned());
    }
    Ok(view_of(store, p))
}

/// The practice with its people's names; the caller checked access.
pub fn view_of(store: &Store, p: Practice) -> Box<PracticeView> {
    let team = p
        .passport
        .team
        .iter()
        .map(|m| match &m.member {
            Member::User(u) => (name_of(store, *u), m.mentor),
            Member::Invited(email) => (format!("{email} (приглашён)"), m.mentor),
        })
        .collect();
    Box::new(PracticeView {
        author: name_of(store, p.author),
        team,
        practice: p,
    })
}
