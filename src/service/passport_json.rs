//! The JSON form of a passport for scripting (`practice new|edit --from`,
//! `practice show --json`), documented in `docs/passport.md`.
//!
//! It is the passport's own serde form with a few conveniences: team
//! members are named by login (or invited by e-mail), regions may be given
//! by name, and a category or way of implementation may be a plain code.

use serde_json::{Map, Value, json};

use crate::domain::Passport;
use crate::domain::passport::{Member, TeamMember};
use crate::domain::refdata::refdata;
use crate::domain::user::UserId;

/// The keys a passport document may have.
pub const KEYS: [&str; 26] = [
    "title",
    "goal",
    "tasks",
    "essence",
    "audience",
    "results",
    "category",
    "organisation",
    "materials",
    "cover",
    "regions",
    "cost",
    "implementation_way",
    "plan",
    "partners",
    "launch_months",
    "specifics",
    "support",
    "team",
    "rating_indicators",
    "consents",
    "level",
    "year",
    "route",
    "leader_project",
    "criteria_confirmed",
];

fn region_code(v: &Value) -> Result<Value, String> {
    match v {
        Value::String(s) => refdata()
            .find_region(s)
            .map(|r| Value::String(r.code.clone()))
            .ok_or_else(|| format!("regions: неизвестный регион «{s}»")),
        Value::Null => Ok(Value::Null),
        other => Err(format!(
            "regions: ожидалось название или код региона, а не {other}"
        )),
    }
}

/// The passport `base` with the fields present in `doc` replaced.
/// `login` finds a registered user by login. Every problem is listed.
pub fn apply_json(
    base: &Passport,
    doc: &Value,
    login: &dyn Fn(&str) -> Option<UserId>,
) -> Result<Passport, Vec<String>> {
    let Value::Object(doc) = doc else {
        return Err(vec!["паспорт должен быть объектом JSON { … }".to_owned()]);
    };
    let mut errors = Vec::new();
    let mut merged: Map<String, Value> = match serde_json::to_value(base) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    for (k, v) in doc {
        if !KEYS.contains(&k.as_str()) {
            errors.push(format!(
                "неизвестное поле «{k}»; допустимы: {}",
                KEYS.join(", ")
            ));
            continue;
        }
        let value = match k.as_str() {
            "category" => match v {
                Value::String(s) if s == "dont-know" => Ok(v.clone()),
                Value::String(s) => Ok(json!({ "known": s })),
                _ => Ok(v.clone()),
            },
            "implementation_way" => match v {
                Value::String(s) => Ok(json!({ "known": s })),
                _ => Ok(v.clone()),
            },
            "regions" => match v {
                Value::Object(o) => {
                    let mut out = Map::new();
                    let author = o.get("author").map_or(Ok(Value::Null), region_code);
                    let others: Result<Vec<Value>, String> = o
                        .get("others")
                        .and_then(Value::as_array)
                        .map_or_else(|| Ok(Vec::new()), |a| a.iter().map(region_code).collect());
                    match (author, others) {
                        (Ok(a), Ok(os)) => {
                            out.insert("author".into(), a);
                            out.insert("others".into(), Value::Array(os));
                            Ok(Value::Object(out))
                        }
                        (Err(e), _) | (_, Err(e)) => Err(e),
                    }
                }
                _ => {
                    Err("regions: ожидался объект { \"author\": …, \"others\": [ … ] }".to_owned())
                }
            },
            "team" => team(v, login),
            _ => Ok(v.clone()),
        };
        match value {
            Ok(v) => {
                merged.insert(k.clone(), v);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value(Value::Object(merged))
        .map_err(|e| vec![format!("паспорт не разобран: {e}")])
}

fn team(v: &Value, login: &dyn Fn(&str) -> Option<UserId>) -> Result<Value, String> {
    let Value::Array(items) = v else {
        return Err("team: ожидался список участников".to_owned());
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let n = i + 1;
        let mentor = item.get("mentor").and_then(Value::as_bool).unwrap_or(false);
        let member = if let Some(l) = item.get("login").and_then(Value::as_str) {
            Member::User(
                login(l).ok_or_else(|| {
                    format!("team, участник {n}: нет пользователя с логином «{l}»")
                })?,
            )
        } else if let Some(e) = item.get("email").and_then(Value::as_str) {
            Member::invited(e).map_err(|why| format!("team, участник {n}: {why}"))?
        } else if let Some(u) = item.get("user").and_then(Value::as_str) {
            Member::User(u.parse().map_err(|_| {
                format!("team, участник {n}: «{u}» — не идентификатор пользователя")
            })?)
        } else {
            return Err(format!(
                "team, участник {n}: укажите \"login\" зарегистрированного пользователя или \"email\" для приглашения"
            ));
        };
        out.push(serde_json::to_value(TeamMember { member, mentor }).map_err(|e| e.to_string())?);
    }
    Ok(Value::Array(out))
}

/// The passport as a JSON document; team members carry their login.
pub fn to_json(p: &Passport, login_of: &dyn Fn(UserId) -> Option<String>) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        let team: Vec<Value> = p
            .team
            .iter()
            .map(|m| match &m.member {
                Member::User(id) => {
                    json!({ "user": id, "login": login_of(*id), "mentor": m.mentor })
                }
                Member::Invited(e) => json!({ "email": e, "mentor": m.mentor }),
            })
            .collect();
        o.insert("team".into(), Value::Array(team));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::passport::{CategoryChoice, ImplementationWay};
    use uuid::Uuid;

    fn login(l: &str) -> Option<UserId> {
        (l == "team1").then(|| Uuid::from_u128(5))
    }

    #[test]
    fn conveniences_and_round_trip() {
        let doc = json!({
            "title": "Проба",
            "category": "health",
            "implementation_way": "npa",
            "regions": { "author": "Республика Татарстан", "others": ["77"] },
            "team": [{ "login": "team1", "mentor": true }, { "email": "new@x.ru" }],
            "year": 2025,
            "route": "own-initiative"
        });
        let p = apply_json(&Passport::default(), &doc, &login).expect("applies");
        assert_eq!(p.title, "Проба");
        assert_eq!(p.category, Some(CategoryChoice::Known("health".into())));
        assert_eq!(
            p.implementation_way,
            Some(ImplementationWay::Known("npa".into()))
        );
        assert_eq!(p.regions.author.as_deref(), Some("16"));
        assert_eq!(p.team[0].member, Member::User(Uuid::from_u128(5)));
        assert!(p.team[0].mentor);
        assert_eq!(p.team[1].member, Member::Invited("new@x.ru".into()));
        let back = to_json(&p, &|_| Some("team1".into()));
        assert_eq!(back["team"][0]["login"], "team1");
        let again = apply_json(&Passport::default(), &back, &login).expect("round trip");
        assert_eq!(again, p);
    }

    #[test]
    fn only_present_fields_change() {
        let base = Passport {
            title: "Было".into(),
            goal: "Цель".into(),
            ..Passport::default()
        };
        let p = apply_json(&base, &json!({ "goal": "Новая цель" }), &login).expect("applies");
        assert_eq!((p.title.as_str(), p.goal.as_str()), ("Было", "Новая цель"));
    }

    #[test]
    fn every_problem_is_listed() {
        let doc = json!({
            "titel": "x",
            "regions": { "author": "Атлантида" },
            "team": [{ "login": "ghost" }]
        });
        let e = apply_json(&Passport::default(), &doc, &login).expect_err("refused");
        assert_eq!(e.len(), 3, "{e:?}");
        let e = apply_json(&Passport::default(), &json!({ "year": "позже" }), &login)
            .expect_err("bad type");
        assert!(e[0].contains("не разобран"), "{e:?}");
    }
}
