//! The background worker: store queries, search and password checks run
//! here and answer with replies, so typing never waits. A burst of search
//! requests is collapsed to the newest one.

mod messages;
mod news;
pub mod people;
pub mod print;
mod queries;
mod served;

use chrono::Datelike as _;
use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::mpsc::UnboundedSender;

pub use served::{Gate, Served};

pub use messages::{
    ApplicationView, ConflictView, DiffView, Draft, HistoryView, OffersView, ReplicationList,
    Reply, Request, Resolution, RevisionView,
};

use crate::domain::Passport;
use crate::domain::clock::Clock;
use crate::domain::command::Command;
use crate::domain::passport::{Member, TeamMember};
use crate::domain::user::UserId;
use crate::domain::workflow::{Action as WorkflowAction, Tally};
use crate::domain::{Practice, PracticeId, User};
use crate::search::SearchIndex;
use crate::service::practice::execute;
use crate::service::views::{Row, load_view, name_of, view_of};
use crate::service::workflow::{self as review};
use crate::service::{Ctx, ServiceError};
use crate::store::Store;
use crate::sync::protocol::Conflict;

#[derive(Clone)]
pub struct Worker {
    pub store: Arc<Store>,
    pub index: Arc<SearchIndex>,
    /// The workstation's one clock.
    pub clock: Arc<dyn Clock>,
    /// The rows the query language reads, made at the first query.
    pub queries: Arc<std::sync::Mutex<Option<crate::service::query::Table>>>,
}

impl Worker {
    /// The service context of a request.
    fn cx(&self) -> Ctx<'_> {
        Ctx::new(&self.store, self.clock.as_ref())
    }

    /// Starts the worker thread.
    pub fn spawn(self, replies: UnboundedSender<Reply>) -> mpsc::Sender<Request> {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("smarteka-worker".into())
            .spawn(move || {
                let mut me = self;
                // A session over SSH: the work it may do at once, shared.
                let mut gate: Option<Arc<served::Gate>> = None;
                let mut reader: Option<crate::domain::UserId> = None;
                // The watcher's wake-up line, once it runs.
                let mut watcher: Option<mpsc::Sender<()>> = None;
                // Where documents are printed; the current directory until set.
                let mut print_dir: Option<std::path::PathBuf> = None;
                // A session over SSH: the only directory files come from.
                let mut files: Option<std::path::PathBuf> = None;
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
                        if matches!(req, Request::Watch) {
                            // Started once; later a nudge to stop waiting
                            // out a failure (the server is back).
                            if watcher.as_ref().is_none_or(|w| w.send(()).is_err()) {
                                let (nudge, nudged) = mpsc::channel();
                                let (w, tx) = (me.clone(), replies.clone());
                                let _ = std::thread::Builder::new()
                                    .name("smarteka-watch".into())
                                    .spawn(move || w.watch(&tx, &nudged));
                                watcher = Some(nudge);
                            }
                            continue;
                        }
                        let req = match &files {
                            Some(root) => served::confined(req, root),
                            None => req,
                        };
                        let req = match req {
                            Request::PrintDir(dir) => {
                                print_dir = Some(dir);
                                let _ = replies.send(Reply::Stale);
                                continue;
                            }
                            Request::Serve(s) => {
                                print_dir = Some(s.files.clone());
                                files = Some(s.files);
                                gate = Some(s.gate);
                                reader = Some(s.user);
                                me.queries = s.queries;
                                let _ = replies.send(Reply::Stale);
                                continue;
                            }
                            // Over SSH, others as the feed shows them.
                            Request::FindUsers { tag, text } if reader.is_some() => {
                                let who = reader.and_then(|id| me.store.user(id).ok().flatten());
                                let users = crate::service::people::find_users(
                                    &me.store,
                                    who.as_ref(),
                                    &text,
                                );
                                if replies.send(Reply::Users { tag, users }).is_err() {
                                    return;
                                }
                                continue;
                            }
                            Request::Print { user, what } => {
                                let r = print::handle(
                                    &me.cx(),
                                    user.as_deref(),
                                    &what,
                                    print_dir.as_deref(),
                                );
                                if replies.send(Reply::Printed(r)).is_err() {
                                    return;
                                }
                                continue;
                            }
                            // Several practices: the window counts them.
                            Request::Act {
                                user,
                                ids,
                                action,
                                input,
                            } if ids.len() > 1 => {
                                let tell = |done, all| {
                                    let _ = replies.send(Reply::Progress { done, all });
                                };
                                let result = me.act_all(&user, &ids, action, &input, &tell);
                                let reply =
                                    served::shown(Reply::Acted { ids, result }, files.as_deref());
                                if replies.send(reply).is_err() {
                                    return;
                                }
                                continue;
                            }
                            other => other,
                        };
                        if matches!(req, Request::Sync) {
                            // The network may be slow: searches and saves
                            // do not wait behind it.
                            let (w, tx) = (me.clone(), replies.clone());
                            std::thread::spawn(move || {
                                let _ = tx.send(w.sync(&tx));
                            });
                            continue;
                        }
                        let reply = if stale {
                            Reply::Stale
                        } else {
                            let _turn = gate
                                .as_deref()
                                .filter(|_| served::heavy(&req))
                                .map(served::Gate::enter);
                            me.process(req)
                        };
                        if replies
                            .send(served::shown(reply, files.as_deref()))
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            })
            .unwrap_or_else(|e| panic!("cannot start the worker thread: {e}"));
        tx
    }

    /// Answers one request; a search first brings the index up to the
    /// store, so writes from anywhere in this process are found.
    pub fn process(&self, req: Request) -> Reply {
        if matches!(req, Request::Search { .. } | Request::Facets { .. })
            && let Err(e) = self.index.catch_up(&self.store)
        {
            tracing::warn!(error = %e, "search index did not catch up");
        }
        self.answer(req)
    }

    fn answer(&self, req: Request) -> Reply {
        match req {
            Request::Search { tag, query } if crate::domain::query::has_conditions(&query.text) => {
                self.query(tag, &query)
            }
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
                        suggestion: r.suggestion,
                        problem: None,
                    }
                }
                Err(e) => Reply::Error(e.to_string()),
            },
            Request::Facets { tag, query } => match self.index.facet_counts(&query) {
                Ok(counts) => Reply::Facets { tag, counts },
                Err(e) => Reply::Error(e.to_string()),
            },
            Request::Practice { id, user } => {
                if let Err(e) = crate::sync::client::rows::ensure_whole(&self.store, id) {
                    return Reply::Practice(Err(e));
                }
                Reply::Practice(load_view(&self.store, id, user.as_deref()).map(|mut v| {
                    v.life = crate::service::views::life_lines(
                        &self.store,
                        &v.practice,
                        user.as_deref(),
                        self.clock.today(),
                    );
                    v
                }))
            }
            Request::Login { login, password } => Reply::Login(self.login(&login, &password)),
            Request::NewDraft { user } => Reply::Draft(
                crate::service::practice::new_draft(&self.cx(), &user)
                    .map(|p| self.draft(p))
                    .map_err(|e| e.to_string()),
            ),
            Request::OpenDraft { user, id } => Reply::Draft(self.open_draft(&user, id)),
            Request::Revisions { id, user } => Reply::Revisions {
                id,
                result: self.revisions(id, user.as_deref()),
            },
            Request::FindUsers { tag, text } => Reply::Users {
                tag,
                users: crate::service::people::find_users(&self.store, None, &text),
            },
            Request::AttachDraft {
                user,
                id,
                source,
                kind,
            } => Reply::Saved {
                id,
                result: self.attach(&user, id, &source, &kind),
            },
            Request::SaveDraft {
                user,
                id,
                passport,
                team,
            } => Reply::Saved {
                id,
                result: self.save_draft(&user, id, *passport, &team),
            },
            Request::Queues { user } => Reply::Queues(self.queues(&user)),
            Request::Preview {
                user,
                ids,
                action,
                input,
            } => self.preview(&user, ids, action, &input),
            Request::Offers { user, id } => Reply::Offers {
                id,
                result: self.offers(&user, id),
            },
            Request::Act {
                user,
                ids,
                action,
                input,
            } => Reply::Acted {
                result: self.act(&user, &ids, action, &input),
                ids,
            },
            Request::History { user, id } => Reply::History {
                id,
                result: self.history(user.as_deref(), id),
            },
            Request::Diff { user, id, pair } => Reply::Diff {
                id,
                result: self.diff(user.as_deref(), id, pair),
            },
            Request::Replications { user } => Reply::Replications(
                crate::service::replication::rows(&self.cx(), &user)
                    .and_then(|rows| {
                        Ok(Box::new(ReplicationList {
                            rows,
                            invitations: crate::service::replication::invitations(
                                &self.store,
                                &user,
                            )?,
                        }))
                    })
                    .map_err(|e| e.to_string()),
            ),
            Request::Application { user, id } => {
                Reply::Application(self.application(&user, id).map(Box::new))
            }
            Request::Replicate {
                user,
                id,
                action,
                input,
            } => Reply::Replicated(
                crate::service::replication::act(
                    &self.cx(),
                    &crate::store::blobs::Blobs::new(self.store.dir()),
                    &user,
                    id,
                    action,
                    &input,
                )
                .map(Box::new)
                .map_err(|e| e.message()),
            ),
            Request::ApplyFor {
                user,
                practice,
                request,
            } => Reply::Replicated(
                crate::service::replication::apply_with(
                    &self.cx(),
                    &user,
                    practice,
                    &request,
                    None,
                    |_| {},
                )
                .map(Box::new)
                .map_err(|e| e.message()),
            ),
            Request::ReplicationSummary => Reply::ReplicationSummary(
                crate::service::replication::summary(&self.store, self.clock.today().year())
                    .map(Box::new)
                    .map_err(|e| e.to_string()),
            ),
            Request::Inbox { user } => Reply::Inbox(
                review::inbox(&self.cx(), &user)
                    .map(Box::new)
                    .map_err(|e| e.to_string()),
            ),
            Request::MarkRead { user } => match self.store.mark_read(user.id) {
                Ok(()) => Reply::Inbox(
                    review::inbox(&self.cx(), &user)
                        .map(Box::new)
                        .map_err(|e| e.to_string()),
                ),
                Err(e) => Reply::Error(e.to_string()),
            },
            Request::People(r) => Reply::People(Box::new(people::handle(&self.cx(), *r))),
            // Answered whole: what arrives on the way goes nowhere.
            Request::Sync => self.sync(&tokio::sync::mpsc::unbounded_channel().0),
            // Handled by the worker loop: the watch is a thread of its own,
            // the print directory is the loop's.
            Request::Watch | Request::Print { .. } | Request::PrintDir(_) | Request::Serve(_) => {
                Reply::Stale
            }
            Request::Conflicts => Reply::Conflicts(self.conflicts()),
            Request::Resolve {
                user,
                conflict,
                choice,
            } => Reply::Resolved(self.resolve(&user, &conflict, &choice)),
            Request::SubmitDraft { user, id } => Reply::Submitted {
                id,
                result: match self
                    .stored(&user, id)
                    .and_then(|()| execute(&self.cx(), &user, self.submission(id)))
                {
                    Ok((o, _)) => Ok(o.practice.status),
                    Err(ServiceError::Refused(r)) => Err(r),
                    Err(e) => Err(vec![e.to_string()]),
                },
            },
        }
    }

    /// A new draft is stored with its first save; sending it on or
    /// attaching to it before that stores it as it is.
    fn stored(&self, user: &User, id: PracticeId) -> Result<(), ServiceError> {
        if self.store.practice(id)?.is_none() {
            let passport = Passport::default();
            execute(&self.cx(), user, Command::Create { id, passport })?;
        }
        Ok(())
    }

    /// Sending a passport on from the editor: a draft is submitted, a
    /// returned practice resubmitted, an actualisation completed.
    fn submission(&self, id: PracticeId) -> Command {
        match self.store.practice(id) {
            Ok(Some(p)) => Command::send_on(&p),
            _ => Command::Submit { id },
        }
    }

    fn offers(&self, user: &User, id: PracticeId) -> Result<Box<OffersView>, String> {
        let view = load_view(&self.store, id, Some(user))?;
        let p = &view.practice;
        let offers = review::offers(&self.cx(), user, p).map_err(|e| e.to_string())?;
        let name = |u: UserId| name_of(&self.store, u);
        let (votes, tally) = match &p.workflow.session {
            Some(s) => (
                s.votes
                    .iter()
                    .map(|v| {
                        (
                            name(v.expert),
                            v.verdict.name().to_owned(),
                            v.comment.clone(),
                        )
                    })
                    .collect(),
                Some(Tally::of(s)),
            ),
            None => (Vec::new(), None),
        };
        let category = p.passport.category_code().unwrap_or_default();
        let candidates = if offers
            .iter()
            .any(|o| o.kind == WorkflowAction::Assign && o.allowed)
        {
            let mut c: Vec<(String, String)> = self
                .store
                .users()
                .filter_map(Result::ok)
                .filter(|u| {
                    !u.disabled
                        && u.categories_for(crate::domain::Role::ExpertModerator)
                            .contains(&category)
                })
                .map(|u| (u.login, u.profile.full_name))
                .collect();
            c.sort();
            c
        } else {
            Vec::new()
        };
        Ok(Box::new(OffersView {
            title: p.passport.title.clone(),
            status: p.status,
            offers,
            votes,
            tally,
            candidates,
        }))
    }

    fn history(&self, user: Option<&User>, id: PracticeId) -> Result<Box<HistoryView>, String> {
        let view = load_view(&self.store, id, user)?;
        Ok(Box::new(HistoryView {
            title: view.practice.passport.title.clone(),
            steps: review::sessions(
                review::history_for(&self.store, &view.practice, user)
                    .map_err(|e| e.to_string())?,
            ),
        }))
    }

    fn diff(
        &self,
        user: Option<&User>,
        id: PracticeId,
        pair: Option<(u32, u32)>,
    ) -> Result<Box<DiffView>, String> {
        let view = load_view(&self.store, id, user)?;
        let latest = view.practice.revision;
        let (from, to) = if let Some(p) = pair {
            p
        } else {
            let steps = review::history(&self.store, id).map_err(|e| e.to_string())?;
            review::default_pair(&steps, latest)
                .ok_or("У практики одна редакция: сравнивать не с чем.")?
        };
        let fields = review::revision_diff(&self.store, user, id, from, to)?;
        Ok(Box::new(DiffView {
            title: view.practice.passport.title.clone(),
            from,
            to,
            latest,
            fields,
            points: view.practice.workflow.points().map(str::to_owned),
        }))
    }

    fn draft(&self, practice: Practice) -> Box<Draft> {
        let mut team = Vec::new();
        let mut profiles = Vec::new();
        for m in &practice.passport.team {
            let star = if m.mentor { " *" } else { "" };
            match &m.member {
                Member::User(id) => {
                    if let Ok(Some(u)) = self.store.user(*id) {
                        team.push(format!("{}{star}", u.login));
                        profiles.push((u.id, u.profile));
                    } else {
                        team.push(format!("{id}{star}"));
                    }
                }
                Member::Invited(e) => team.push(format!("{e}{star}")),
            }
        }
        Box::new(Draft {
            practice,
            team,
            profiles,
        })
    }

    fn attach(
        &self,
        user: &User,
        id: PracticeId,
        source: &str,
        kind: &str,
    ) -> Result<Box<Draft>, Vec<String>> {
        self.stored(user, id).map_err(|e| e.reasons())?;
        let p = self.open_draft(user, id).map_err(|e| vec![e])?.practice;
        let blobs = crate::store::blobs::Blobs::new(self.store.dir());
        let passport =
            crate::service::practice::attach(&blobs, p.passport, source.trim(), kind, None)
                .map_err(|e| e.reasons())?;
        match execute(&self.cx(), user, Command::Edit { id, passport }) {
            Ok((o, _)) => Ok(self.draft(o.practice)),
            Err(ServiceError::Refused(r)) => Err(r),
            Err(e) => Err(vec![e.to_string()]),
        }
    }

    fn revisions(&self, id: PracticeId, user: Option<&User>) -> Result<Vec<RevisionView>, String> {
        let current = load_view(&self.store, id, user)?;
        let revs = self.store.revisions(id).map_err(|e| e.to_string())?;
        Ok(revs
            .into_iter()
            .map(|r| {
                let mut p = current.practice.clone();
                p.passport = r.passport.clone();
                p.revision = r.number;
                let view = view_of(&self.store, p);
                RevisionView {
                    by: name_of(&self.store, r.by),
                    revision: r,
                    view,
                }
            })
            .collect())
    }

    fn open_draft(&self, user: &User, id: PracticeId) -> Result<Box<Draft>, String> {
        crate::sync::client::rows::ensure_whole(&self.store, id)?;
        let p = self
            .store
            .practice(id)
            .map_err(|e| e.to_string())?
            .ok_or("Практика не найдена.")?;
        crate::domain::command::check_editable(user, &p).map_err(|r| r.to_string())?;
        Ok(self.draft(p))
    }

    fn save_draft(
        &self,
        user: &User,
        id: PracticeId,
        mut passport: Passport,
        team: &[String],
    ) -> Result<Box<Draft>, Vec<String>> {
        let mut errors = Vec::new();
        let mut members = Vec::new();
        let login = |l: &str| self.store.user_by_login(l).ok().flatten().map(|u| u.id);
        for (who, mentor) in team
            .iter()
            .filter_map(|l| crate::domain::passport::team_line(l))
        {
            match Member::parse(who, &login) {
                Ok(member) => members.push(TeamMember { member, mentor }),
                Err(e) => errors.push(format!("Команда: {e}")),
            }
        }
        passport.team = members;
        match crate::service::practice::save_draft(&self.cx(), user, id, passport) {
            Ok((o, _)) if errors.is_empty() => Ok(self.draft(o.practice)),
            Ok(_) => Err(errors),
            Err(ServiceError::Refused(r)) => Err(r),
            Err(e) => Err(vec![e.to_string()]),
        }
    }

    fn login(&self, login: &str, password: &str) -> Result<Box<User>, String> {
        // A linked store's users carry no password hashes: the session
        // saved by `smarteka login` stands for the server's check.
        crate::service::accounts::sign_in_here(&self.cx(), login, || Ok(password.to_owned()))
            .map(Box::new)
            .map_err(|e| e.message())
    }

    /// Sends the outbox and pulls; what arrives on the way is told to the
    /// screens as it comes (`Reply::Arrived`), so a first sync's rows are
    /// usable before the passports.
    fn sync(&self, replies: &UnboundedSender<Reply>) -> Reply {
        let Ok(Some(creds)) = crate::sync::client::api::credentials(self.store.dir()) else {
            return Reply::Synced {
                result: Err(
                    "Вход на сервер не выполнен: smarteka --as ЛОГИН login --server АДРЕС."
                        .to_owned(),
                ),
                pending: 0,
                conflicts: 0,
            };
        };
        let result = crate::sync::client::api::block_on(crate::sync::client::sync(
            &self.store,
            &creds,
            |p| {
                if matches!(
                    p,
                    crate::sync::client::Progress::Rows(_)
                        | crate::sync::client::Progress::Received(_)
                ) {
                    let _ = replies.send(Reply::Arrived(*p));
                }
            },
        ))
        .and_then(|r| r);
        Reply::Synced {
            result,
            pending: self.store.outbox().map_or(0, |o| o.len()),
            conflicts: self.store.conflicts().map_or(0, |c| c.len()),
        }
    }

    fn application(&self, user: &User, id: uuid::Uuid) -> Result<ApplicationView, String> {
        let e = |e: crate::store::StoreError| e.to_string();
        let app = self
            .store
            .application(id)
            .map_err(e)?
            .ok_or_else(|| "Заявка не найдена.".to_owned())?;
        let practice = self.store.practice(app.practice).map_err(e)?;
        if !crate::domain::replication::can_read(user, &app, practice.as_ref()) {
            return Err("Заявка недоступна вам.".to_owned());
        }
        let name = |u: Option<crate::domain::UserId>| -> String {
            u.and_then(|u| self.store.user(u).ok().flatten())
                .map(|u| format!("{} ({})", u.profile.full_name, u.login))
                .unwrap_or_default()
        };
        let offers = crate::domain::replication::Action::ALL
            .iter()
            .map(|a| (*a, crate::domain::replication::check(user, &app, *a)))
            .collect();
        Ok(ApplicationView {
            title: practice.map(|p| p.passport.title).unwrap_or_default(),
            recipient: name(Some(app.recipient)),
            moderator: name(app.moderator),
            timeline: crate::service::replication::timeline(&self.store, id).map_err(e)?,
            offers,
            overdue: app.overdue(self.cx().calendar(), self.clock.today()),
            moderators: crate::service::replication::moderators(&self.store).map_err(e)?,
            app,
        })
    }

    fn conflicts(&self) -> Result<Vec<ConflictView>, String> {
        let mut out = Vec::new();
        for c in self.store.conflicts().map_err(|e| e.to_string())? {
            let text = |p: Option<&Passport>| -> String {
                let (Some(p), Some(f)) = (p, c.field) else {
                    return String::new();
                };
                let Ok(Some(mut practice)) = self.store.practice(c.practice) else {
                    return String::new();
                };
                practice.passport = p.clone();
                let view = view_of(&self.store, practice);
                crate::service::views::field_texts(&view)
                    .into_iter()
                    .find(|(x, _)| *x == f)
                    .map(|(_, t)| t)
                    .unwrap_or_default()
            };
            out.push(ConflictView {
                mine: text(c.mine.as_deref()),
                theirs: text(c.theirs.as_deref()),
                conflict: c,
            });
        }
        Ok(out)
    }

    fn resolve(&self, user: &User, c: &Conflict, choice: &Resolution) -> Result<String, String> {
        let Some(field) = c.field else {
            self.store.drop_conflict(c).map_err(|e| e.to_string())?;
            return Ok("Отказ отмечен прочитанным.".to_owned());
        };
        let p = self
            .store
            .practice(c.practice)
            .map_err(|e| e.to_string())?
            .ok_or("Практика не найдена.")?;
        let mut passport = p.passport.clone();
        match choice {
            Resolution::Theirs => {}
            Resolution::Mine => {
                let mine = c.mine.as_ref().ok_or("Вашего значения нет.")?;
                crate::domain::passport::copy_field(&mut passport, mine, field);
            }
            Resolution::Text(text) => {
                crate::domain::passport::set_text(&mut passport, field, text)?;
            }
        }
        if passport != p.passport {
            execute(
                &self.cx(),
                user,
                Command::Edit {
                    id: c.practice,
                    passport,
                },
            )
            .map_err(|e| e.to_string())?;
        }
        self.store.drop_conflict(c).map_err(|e| e.to_string())?;
        Ok(match choice {
            Resolution::Theirs => format!("{}: оставлено значение сервера.", field.label()),
            _ => format!(
                "{}: ваше значение отправится при синхронизации.",
                field.label()
            ),
        })
    }
}
