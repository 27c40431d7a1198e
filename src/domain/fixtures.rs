//! Test fixtures of the domain: a complete passport, profile and user.

use uuid::Uuid;

use super::passport::{
    Audience, CategoryChoice, Cover, Field, ImageFormat, ImplementationWay, Material, MaterialKind,
    Member, Organisation, Passport, Plan, Regions, ResultRow, Results, Route, Source, TeamMember,
};
use super::user::{Profile, RoleGrant, User};

pub fn complete_profile() -> Profile {
    Profile {
        full_name: "Петров Пётр Петрович".into(),
        organisation: "Министерство здравоохранения".into(),
        organisation_kind: Some("executive-body".into()),
        position: "Начальник отдела".into(),
        phone: "+7 917 000-00-01".into(),
        email: "petrov@example.ru".into(),
        photo: Some("00".repeat(32)),
        region: Some("16".into()),
        head_of_body: false,
    }
}

pub fn file(kind: MaterialKind, size: u64) -> Material {
    Material {
        kind,
        title: String::new(),
        source: Source::File {
            sha256: "11".repeat(32),
            name: "doc.pdf".into(),
            size,
        },
    }
}

pub fn valid() -> Passport {
    let title = "Бережливая поликлиника";
    Passport {
        title: title.into(),
        goal: "Сократить очереди".into(),
        tasks: vec!["Перестроить потоки пациентов".into()],
        essence: format!("{title} – это проект по сокращению очередей."),
        audience: Audience {
            main: "Пациенты".into(),
            secondary: "Врачи".into(),
        },
        results: Results {
            main: "Очереди сократились".into(),
            additional: String::new(),
            measures: vec![ResultRow {
                indicator: "Время ожидания".into(),
                unit: "мин".into(),
                before: "45".into(),
                after: "12,5".into(),
                year: Some(2025),
            }],
        },
        category: Some(CategoryChoice::Known("health".into())),
        organisation: Organisation {
            kind: Some("executive-body".into()),
            name: "Министерство здравоохранения".into(),
        },
        materials: vec![
            file(MaterialKind::Npa, 1000),
            file(MaterialKind::Roadmap, 1000),
        ],
        cover: Some(Cover {
            sha256: "22".repeat(32),
            name: "cover.png".into(),
            format: ImageFormat::Png,
            width: 1200,
            height: 900,
        }),
        regions: Regions {
            author: Some("16".into()),
            others: vec!["77".into()],
        },
        cost: Some("1m-10m".into()),
        implementation_way: Some(ImplementationWay::Known("organisational".into())),
        plan: Plan {
            steps: vec!["Аудит потоков".into()],
            measures: "Приказ министерства".into(),
        },
        partners: vec![],
        launch_months: Some(6),
        specifics: "Нужна поддержка главных врачей".into(),
        support: "Обучение сотрудников".into(),
        team: (0..3)
            .map(|i| TeamMember {
                member: Member::User(Uuid::from_u128(i + 1)),
                mentor: i == 0,
            })
            .collect(),
        rating_indicators: vec![],
        consents: vec![],
        level: None,
        year: Some(2025),
        route: Some(Route::OwnInitiative),
        leader_project: false,
        criteria_confirmed: [true; 7],
    }
}

/// A user with a complete profile and the given roles.
pub fn user(id: u128, roles: Vec<RoleGrant>) -> User {
    User {
        id: Uuid::from_u128(id),
        login: format!("u{id}"),
        profile: complete_profile(),
        roles,
        password_hash: String::new(),
        email_verified: true,
        consents: crate::domain::user::ConsentKind::ALL
            .into_iter()
            .map(|k| crate::domain::people::consent(k, chrono::Utc::now()))
            .collect(),
        disabled: false,
        created: chrono::Utc::now(),
        verified: None,
        mail_opt_out: false,
        code: None,
        contacts_request: None,
        pool: Vec::new(),
    }
}

/// The fields an empty passport is blocked on, in passport order.
pub const REQUIRED: [Field; 20] = [
    Field::P1,
    Field::P2,
    Field::P3,
    Field::P4,
    Field::P5,
    Field::P6,
    Field::P7,
    Field::P8,
    Field::P9,
    Field::P10,
    Field::P11,
    Field::P12,
    Field::P13,
    Field::P14,
    Field::P16,
    Field::P17,
    Field::P18,
    Field::P19,
    Field::P23,
    Field::P24,
];
