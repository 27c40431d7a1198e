//! Configuration: `config.toml` in the XDG config directory (or the file
//! given by `--config`), with `SMARTEKA_*` environment overrides. Every key
//! is optional; `config.example.toml` documents them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::calendar::{Calendar, YearFile};
use crate::tui::theme::StyleSpec;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The store directory. Default: the XDG data directory.
    pub data_dir: Option<PathBuf>,
    #[serde(default)]
    pub ui: Ui,
    /// Action name → keys; replaces that action's default keys.
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
    /// Style name → style; replaces that style of the default theme.
    #[serde(default)]
    pub theme: BTreeMap<String, StyleSpec>,
    #[serde(default)]
    pub calendar: CalendarConfig,
    #[serde(default)]
    pub log: Log,
    #[serde(default)]
    pub server: ServerConfig,
}

/// `[server]`: what `smarteka serve` does by itself.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Where scheduled backups go; none without it.
    pub backup_dir: Option<PathBuf>,
    /// How often: «30m», «6h», «1d». Default: a day.
    pub backup_every: Option<String>,
    /// How many scheduled backups to keep. Default: 7.
    pub keep: Option<usize>,
}

impl ServerConfig {
    /// The backup plan, or why the settings are wrong.
    pub fn plan(&self) -> Result<Option<crate::store::backup::BackupPlan>, String> {
        let Some(dir) = &self.backup_dir else {
            return Ok(None);
        };
        let every = match &self.backup_every {
            Some(text) => parse_every(text)?,
            None => std::time::Duration::from_secs(24 * 60 * 60),
        };
        let keep = self.keep.unwrap_or(7);
        if keep == 0 {
            return Err("[server] keep: храните хотя бы одну копию.".to_owned());
        }
        Ok(Some(crate::store::backup::BackupPlan {
            dir: dir.clone(),
            every,
            keep,
        }))
    }
}

/// «30m», «6h», «1d» as a duration of at least a minute.
pub fn parse_every(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let wrong = || {
        format!("[server] backup_every = «{text}»: укажите число и единицу — «30m», «6h» или «1d».")
    };
    let cut = t.char_indices().last().map_or(0, |(i, _)| i);
    let (n, unit) = t.split_at(cut);
    let n: u64 = n.trim().parse().map_err(|_| wrong())?;
    let unit = match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(wrong()),
    };
    let secs = n.checked_mul(unit).ok_or_else(wrong)?;
    // From a minute to a year.
    if !(60..=366 * 86400).contains(&secs) {
        return Err(wrong());
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ui {
    /// Letters typed on the Russian layout reach the Latin bindings.
    #[serde(default = "yes")]
    pub layout_remap: bool,
    /// How many practices a search asks for at first.
    #[serde(default = "page")]
    pub page: usize,
    /// Where `P` writes documents as PDF. Default: the current directory.
    #[serde(default)]
    pub print_dir: Option<PathBuf>,
}

impl Default for Ui {
    fn default() -> Self {
        Self {
            layout_remap: true,
            page: page(),
            print_dir: None,
        }
    }
}

fn yes() -> bool {
    true
}

fn page() -> usize {
    200
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalendarConfig {
    /// A folder of `YYYY.toml` production calendars that replace or add to
    /// the shipped ones. Default: `<data>/calendars`.
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// Log file. Default: `<data>/smarteka.log`.
    pub file: Option<PathBuf>,
    /// error, warn, info, debug or trace.
    #[serde(default = "info")]
    pub level: String,
}

impl Default for Log {
    fn default() -> Self {
        Self {
            file: None,
            level: info(),
        }
    }
}

fn info() -> String {
    "info".into()
}

impl Config {
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| format!("Ошибка в файле настроек: {e}"))
    }

    /// Reads the config file; a missing default file is an empty config, a
    /// missing explicit one is an error.
    pub fn load(explicit: Option<&Path>) -> Result<Self, String> {
        let path = match explicit {
            Some(p) => p.to_owned(),
            None => match default_config_path() {
                Some(p) if p.exists() => p,
                _ => return Ok(Self::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "Не удалось прочитать файл настроек «{}»: {e}",
                path.display()
            )
        })?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The store directory: `--data`, else `SMARTEKA_DATA` (clap reads it),
    /// else the config's `data_dir`, else the XDG data directory.
    pub fn data_dir(&self, cli: Option<&Path>) -> PathBuf {
        cli.map(Path::to_path_buf)
            .or_else(|| self.data_dir.clone())
            .or_else(|| dirs().map(|d| d.data_dir().to_owned()))
            .unwrap_or_else(|| PathBuf::from("smarteka-data"))
    }

    /// The production calendar: shipped years plus the administrator's
    /// files. A bad file is reported and skipped.
    pub fn calendar(&self, data_dir: &Path) -> (Calendar, Vec<String>) {
        let dir = self
            .calendar
            .dir
            .clone()
            .unwrap_or_else(|| data_dir.join("calendars"));
        let mut cal = Calendar::shipped();
        let mut problems = Vec::new();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return (cal, problems);
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for p in files {
            match std::fs::read_to_string(&p)
                .map_err(|e| e.to_string())
                .and_then(|t| YearFile::parse(&t))
            {
                Ok(f) => cal.insert(f),
                Err(e) => problems.push(format!("Календарь «{}»: {e}", p.display())),
            }
        }
        (cal, problems)
    }
}

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("ru", "smarteka", "smarteka")
}

pub fn default_config_path() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_parses_and_means_what_it_says() {
        let c = Config::parse(include_str!("../config.example.toml")).expect("parses");
        assert_eq!(c.data_dir, Some(PathBuf::from("/var/lib/smarteka")));
        assert!(c.ui.layout_remap);
        assert_eq!(
            c.keys.get("quit"),
            Some(&vec!["q".to_owned(), "ctrl-q".to_owned()])
        );
        let (_, problems) = crate::tui::theme::Theme::load(&c.theme);
        assert!(problems.is_empty(), "{problems:?}");
        let km = crate::tui::keymap::Keymap::new(&c.keys, c.ui.layout_remap);
        assert!(km.problems.is_empty(), "{:?}", km.problems);
        assert_eq!(c.log.level, "info");
        let plan = c.server.plan().expect("valid").expect("a plan");
        assert_eq!(plan.every, std::time::Duration::from_secs(86400));
        assert_eq!(plan.keep, 7);
    }

    #[test]
    fn backup_intervals_are_read_and_bad_ones_refused_in_russian() {
        assert_eq!(parse_every("30m"), Ok(std::time::Duration::from_secs(1800)));
        assert_eq!(
            parse_every(" 6h "),
            Ok(std::time::Duration::from_secs(21600))
        );
        for bad in [
            "",
            "h",
            "10",
            "0m",
            "5s",
            "1 неделя",
            "99999999999999999d",
            "400d",
        ] {
            let e = parse_every(bad).expect_err(bad);
            assert!(e.contains("backup_every"), "{e}");
        }
        let none = ServerConfig::default().plan().expect("valid");
        assert!(none.is_none(), "no backups without a folder");
    }

    #[test]
    fn unknown_keys_are_errors_in_russian() {
        let e = Config::parse("colour = 1").expect_err("refused");
        assert!(e.starts_with("Ошибка в файле настроек"), "{e}");
    }

    #[test]
    fn data_dir_precedence() {
        let c = Config {
            data_dir: Some("/from/config".into()),
            ..Config::default()
        };
        assert_eq!(c.data_dir(Some(Path::new("/cli"))), PathBuf::from("/cli"));
        assert_eq!(c.data_dir(None), PathBuf::from("/from/config"));
    }

    #[test]
    fn administrator_calendars_are_read_and_bad_ones_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cal = dir.path().join("calendars");
        std::fs::create_dir_all(&cal).expect("mkdir");
        std::fs::write(
            cal.join("2027.toml"),
            "year = 2027\ndays_off = [\"2027-01-11\"]\n",
        )
        .expect("write");
        std::fs::write(cal.join("2028.toml"), "year = oops").expect("write");
        let (c, problems) = Config::default().calendar(dir.path());
        assert!(!c.is_provisional(2027));
        assert!(c.is_provisional(2028));
        assert_eq!(problems.len(), 1);
    }
}
