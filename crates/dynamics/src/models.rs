//! The named Milky Way models, with the reference packages' exact parameters.

use crate::agama::AgamaComponent;
use crate::components::{Hernquist, MiyamotoNagai, Mn3ExponentialDisk, Nfw, PowerLawCutoff};
use crate::composite::Component;

/// A named model: canonical name, accepted aliases (case-insensitive), one-line description.
#[derive(Debug, Clone, Copy)]
pub struct NamedModel {
    /// The canonical name written into descriptions.
    pub name: &'static str,
    /// Other accepted spellings (compared case-insensitively).
    pub aliases: &'static [&'static str],
    /// What the model is, with its provenance.
    pub summary: &'static str,
    /// The model's own pattern speed Ω in km/s/kpc (0 for static models), used when the model is
    /// given by name (`--potential NAME`, [`crate::Description::model`]); a description file's
    /// `pattern_speed` and `--pattern-speed` override it.
    pub pattern_speed: f64,
    build: fn() -> Vec<Component>,
}

impl NamedModel {
    /// The model's components, in the reference package's summation order.
    pub fn components(&self) -> Vec<Component> {
        (self.build)()
    }
}

/// Every named model starmill knows.
pub const MODELS: &[NamedModel] = &[
    NamedModel {
        name: "MWPotential2014",
        aliases: &["galpy-MWPotential2014", "MWPotential2014"],
        summary: "galpy's MWPotential2014 (Bovy 2015): power-law bulge with cut-off (alpha 1.8, r_c 1.9 kpc, \
                  zero at the centre) + Miyamoto-Nagai disk (3, 0.28 kpc) + NFW halo (16 kpc); v_c(8 kpc) = 220 km/s",
        pattern_speed: 0.0,
        build: mw_potential_2014,
    },
    NamedModel {
        name: "gala-MilkyWayPotential",
        aliases: &["MilkyWayPotential", "gala-MilkyWayPotential-v1", "MilkyWayPotential-v1"],
        summary: "gala 1.11 MilkyWayPotential (version v1, gala's default): Miyamoto-Nagai disk + Hernquist bulge \
                  and nucleus + NFW halo; v_c(8 kpc) = 231.76 km/s",
        pattern_speed: 0.0,
        build: gala_mw_v1,
    },
    NamedModel {
        name: "gala-MilkyWayPotential2022",
        aliases: &["MilkyWayPotential2022", "gala-MilkyWayPotential-v2", "MilkyWayPotential-v2"],
        summary: "gala 1.11 MilkyWayPotential2022 (version v2): MN3 exponential disk + Hernquist bulge and nucleus \
                  + NFW halo; v_c(8 kpc) = 229.55 km/s",
        pattern_speed: 0.0,
        build: gala_mw_2022,
    },
    NamedModel {
        name: "agama-mw-bar",
        aliases: &["agama_mw_bar", "agama-mwbar", "agama-MilkyWayBar"],
        summary: "agama's Milky Way bar model (makePotentialModel() of example_mw_bar_potential_new.py, agama \
                  0c5993d) from its exported file: CylSpline (X-shaped and long bars, stellar and gas disks) + \
                  Multipole (halo, nuclear disk and cluster, black hole); bar along x at t = 0, pattern speed \
                  -39 km/s/kpc (clockwise)",
        pattern_speed: starmill_agama::AGAMA_MW_BAR_PATTERN_SPEED,
        build: agama_mw_bar,
    },
];

/// Looks up a named model by name or alias (case-insensitive).
pub fn find_model(name: &str) -> Option<&'static NamedModel> {
    let name = name.trim();
    MODELS.iter().find(|m| m.name.eq_ignore_ascii_case(name) || m.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
}

/// The names of all models, for error messages and help.
pub fn model_names() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.name).collect()
}

/// galpy MWPotential2014 with galpy's exact amplitudes (natural amplitudes × v_o², r_o = 8 kpc,
/// v_o = 220 km/s), in galpy's summation order bulge, disk, halo.
fn mw_potential_2014() -> Vec<Component> {
    vec![
        Component::PowerLawCutoff(PowerLawCutoff::from_k(957.7902201412711, 1.8, 1.9, true)),
        Component::MiyamotoNagai(MiyamotoNagai { gm: 293296.3341900681, a: 3.0, b: 0.28 }),
        Component::Nfw(Nfw { gm: 1878783.662582041, a: 16.0 }),
    ]
}

/// gala MilkyWayPotential v1, in gala's order disk, bulge, nucleus, halo.
fn gala_mw_v1() -> Vec<Component> {
    vec![
        Component::MiyamotoNagai(MiyamotoNagai::new(6.8e10, 3.0, 0.28)),
        Component::Hernquist(Hernquist::new(5e9, 1.0)),
        Component::Hernquist(Hernquist::new(1.71e9, 0.07)),
        Component::Nfw(Nfw::new(5.4e11, 15.62)),
    ]
}

/// gala MilkyWayPotential2022, in gala's order disk, bulge, nucleus, halo.
fn gala_mw_2022() -> Vec<Component> {
    vec![
        Component::Mn3ExponentialDisk(Mn3ExponentialDisk::new(4.7717e10, 2.6, 0.3, true, true)),
        Component::Hernquist(Hernquist::new(5e9, 1.0)),
        Component::Hernquist(Hernquist::new(1.8142e9, 0.0688867)),
        Component::Nfw(Nfw::new(5.5427e11, 15.626)),
    ]
}

/// agama's Milky Way bar model, the embedded export of `starmill_agama::agama_mw_bar`.
fn agama_mw_bar() -> Vec<Component> {
    vec![Component::Agama(AgamaComponent::new(starmill_agama::agama_mw_bar(), "agama-mw-bar"))]
}
