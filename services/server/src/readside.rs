//! The read models of a data directory and how they are opened, run and rebuilt.
//!
//! - `<data_dir>/views/views.sqlite`: audit trail, timeline, as-of, practice history, evidence
//!   graph, situational picture ([`kirjuri_views`]);
//! - `<data_dir>/search/`: the tantivy index ([`kirjuri_search`]).
//!
//! Each is a directory so that a rebuild can be built beside it and swapped in whole (a bare
//! SQLite file cannot be renamed over another while its `-wal` sits beside it). The server
//! runs both through one [`ProjectionRunner`]; only the runner's tasks write to them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use kirjuri_projections::{
    Projection, ProjectionError, ProjectionFactory, ProjectionRunner, RunnerOptions, promote_directory,
};
use kirjuri_search::{AnalysisSettings, SearchIndex, SearchProjection};
use kirjuri_store::EventStore;
use kirjuri_views::ViewsProjection;

use crate::settings::Settings;

/// The views database file inside its directory.
const VIEWS_FILE: &str = "views.sqlite";

/// Opens and rebuilds the SQLite views of a data directory.
pub struct ViewsFactory {
    directory: PathBuf,
}

impl ViewsFactory {
    /// The views of the data directory in `settings`.
    pub fn new(settings: &Settings) -> Self {
        Self { directory: settings.data_dir.join("views") }
    }
}

impl ProjectionFactory for ViewsFactory {
    fn name(&self) -> &'static str {
        "views"
    }

    fn live_location(&self) -> PathBuf {
        self.directory.clone()
    }

    fn open(&self, location: &Path) -> Result<Box<dyn Projection>, ProjectionError> {
        std::fs::create_dir_all(location)
            .map_err(|e| ProjectionError::storage(format!("creating {}", location.display()), e))?;
        // Any location but the live one is a rebuild's fresh copy, promoted only once complete:
        // it is written fast and without crash safety, and finished in `promote`.
        let file = location.join(VIEWS_FILE);
        let projection = if location == self.directory {
            ViewsProjection::open(file)
        } else {
            ViewsProjection::open_for_rebuild(file)
        }
        .map_err(|e| ProjectionError::storage(format!("opening the views in {}", location.display()), e))?;
        Ok(Box::new(projection))
    }

    fn promote(&self, rebuilt: &Path) -> Result<(), ProjectionError> {
        kirjuri_views::finish_rebuild(rebuilt.join(VIEWS_FILE)).map_err(|e| {
            ProjectionError::storage(format!("finishing the views rebuilt in {}", rebuilt.display()), e)
        })?;
        promote_directory(rebuilt, &self.directory)
    }
}

/// Opens and rebuilds the search index of a data directory.
pub struct SearchFactory {
    directory: PathBuf,
    analysis: AnalysisSettings,
}

impl SearchFactory {
    /// The search index of the data directory in `settings`, analysed as the environment says
    /// (`KIRJURI_SEARCH_VOIKKO=off` forces Snowball only).
    pub fn new(settings: &Settings) -> Self {
        Self { directory: settings.data_dir.join("search"), analysis: AnalysisSettings::from_env() }
    }

    /// Opens the index at `location` for reading and writing.
    pub fn open_index(&self, location: &Path) -> Result<SearchIndex, ProjectionError> {
        std::fs::create_dir_all(location)
            .map_err(|e| ProjectionError::storage(format!("creating {}", location.display()), e))?;
        SearchIndex::open(location, &self.analysis)
            .map_err(|e| ProjectionError::storage(format!("opening the search index in {}", location.display()), e))
    }
}

impl ProjectionFactory for SearchFactory {
    fn name(&self) -> &'static str {
        "search"
    }

    fn live_location(&self) -> PathBuf {
        self.directory.clone()
    }

    fn open(&self, location: &Path) -> Result<Box<dyn Projection>, ProjectionError> {
        let index = self.open_index(location)?;
        let projection = SearchProjection::new(index)
            .map_err(|e| ProjectionError::storage(format!("opening the index writer in {}", location.display()), e))?;
        Ok(Box::new(projection))
    }

    fn promote(&self, rebuilt: &Path) -> Result<(), ProjectionError> {
        promote_directory(rebuilt, &self.directory)
    }
}

/// Every read model of a data directory, by name.
pub fn factories(settings: &Settings) -> Vec<Arc<dyn ProjectionFactory>> {
    vec![Arc::new(ViewsFactory::new(settings)), Arc::new(SearchFactory::new(settings))]
}

/// Opens every read model and starts the runner that keeps them up to date.
pub async fn start(settings: &Settings, store: Arc<dyn EventStore>) -> anyhow::Result<ProjectionRunner> {
    start_with(settings, store, RunnerOptions::default()).await
}

/// [`start`] with the runner's batching and retry options.
pub async fn start_with(
    settings: &Settings,
    store: Arc<dyn EventStore>,
    options: RunnerOptions,
) -> anyhow::Result<ProjectionRunner> {
    let factories = factories(settings);
    let projections = tokio::task::spawn_blocking(move || {
        factories.iter().map(|factory| factory.open(&factory.live_location())).collect::<Result<Vec<_>, _>>()
    })
    .await
    .context("the task opening the read models panicked")?
    .context("opening the read models")?;
    ProjectionRunner::start(store, projections, options).context("starting the projections")
}
