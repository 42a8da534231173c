//! Which concepts the answer covers and how, from the evidence of aliases, cues and claims:
//! a contradicted claim or a stated misconception that contradicts the concept wins over everything, then a statement (explained term, right claim,
//! plain-words cue), then a bare or listed name; a denial wins over a name.

use super::claims::{Finding, Verdict};
use super::matching::ConceptEvidence;
use super::predicate::Statements;
use super::semantic::SemanticMatch;
use super::text::{self, Analyzed};
use super::{
    missed_concept, span, CompiledRubric, CoveredConcept, FoundBy, FoundMisconception,
    GradeSettings, MissedConcept, StatedWrong,
};

/// Covered and missed concepts with the weight earned.
#[derive(Debug, Clone, Default)]
pub struct Decided {
    pub covered: Vec<CoveredConcept>,
    pub missed: Vec<MissedConcept>,
    /// Weight earned, before scaling.
    pub earned: f64,
    pub required_missing: bool,
    /// A required concept is denied or stated wrongly.
    pub required_wrong: bool,
    /// Share of a concept's weight that a bare name earns in this rubric.
    pub bare_credit: f64,
}

/// What the signals found in one answer, per concept of the rubric.
pub struct Evidence<'a> {
    /// Aliases, cues and statements found.
    pub found: &'a [ConceptEvidence],
    /// Checked claims.
    pub findings: &'a [Finding],
    /// Concepts a stated misconception or a swapped attribution contradicts.
    pub stated_wrong: &'a [bool],
    /// Matches of the semantic channel, if on.
    pub semantic: &'a [Option<SemanticMatch>],
}

/// Credit per concept: what its evidence earns. `deep`: the answer is as deep as the
/// reference answer (see `depth`).
pub fn decide(
    compiled: &CompiledRubric,
    analyzed: &Analyzed,
    evidence: &Evidence<'_>,
    deep: bool,
    settings: &GradeSettings,
) -> Decided {
    let Evidence {
        found,
        findings,
        stated_wrong,
        semantic,
    } = *evidence;
    let rubric = &compiled.rubric;
    let bare_credit = rubric
        .scoring
        .as_ref()
        .and_then(|s| s.bare_mention_credit)
        .unwrap_or(settings.bare_mention_credit);
    let mut out = Decided {
        bare_credit,
        ..Decided::default()
    };
    for (i, concept) in rubric.concepts.iter().enumerate() {
        let weight = concept.weight.max(0.0);
        let evidence_of = &found[i];
        let contradicted = stated_wrong.get(i).copied().unwrap_or(false)
            || findings
                .iter()
                .any(|f| f.concept == i && f.verdict != Verdict::Supports);
        let claim = findings
            .iter()
            .find(|f| f.concept == i && f.verdict == Verdict::Supports);
        let alias = evidence_of.alias.as_ref();
        let stated_alias = alias.filter(|(_, how)| *how == FoundBy::Term);
        // The semantic channel adds credit for a clause close in meaning that states
        // something; it never overrides a wrong claim or a denial (embeddings cannot tell
        // "reduces bias" from "reduces variance").
        let by_meaning = semantic
            .get(i)
            .and_then(Option::as_ref)
            .filter(|m| Statements::of(&text::analyze(&m.text)).states(0));
        let choice: Option<(FoundBy, String)> = if contradicted {
            None
        } else if let Some((o, how)) = stated_alias {
            Some((*how, span(analyzed, o.first_token, o.last_token)))
        } else if let Some(f) = claim {
            Some((FoundBy::Claim, span(analyzed, f.first_token, f.last_token)))
        } else if let Some(hit) = &evidence_of.cue {
            Some((
                FoundBy::Cue,
                span(analyzed, hit.first_token, hit.last_token),
            ))
        } else if evidence_of.denied {
            None
        } else if let Some(m) = by_meaning {
            Some((FoundBy::Semantic, m.text.clone()))
        } else {
            alias.map(|(o, how)| (*how, span(analyzed, o.first_token, o.last_token)))
        };
        match choice {
            Some((found_by, evidence)) => {
                let share = match found_by {
                    FoundBy::Term | FoundBy::Claim | FoundBy::Cue => 1.0,
                    FoundBy::Semantic => settings.semantic_credit,
                    FoundBy::Bare => bare_credit,
                    // An answer as deep as the reference written as notes ("Retrieval:
                    // гибридный поиск — BM25 плюс dense embeddings, слияние через RRF, затем
                    // cross-encoder reranker на топ-50") is not a list of terms: what it lists,
                    // it says.
                    FoundBy::Listed if deep => 1.0,
                    FoundBy::Listed => settings.listed_credit.min(bare_credit),
                };
                out.earned += weight * share;
                out.covered.push(CoveredConcept {
                    id: concept.id.clone(),
                    label: concept.label.clone(),
                    label_en: concept.label_en.clone(),
                    weight,
                    explained: found_by.is_explained(),
                    found_by,
                    evidence,
                });
            }
            None => {
                out.required_missing |= concept.required;
                out.required_wrong |= concept.required && (contradicted || evidence_of.denied);
                out.missed.push(missed_concept(
                    concept,
                    evidence_of.denied && !contradicted,
                    contradicted,
                ));
            }
        }
    }
    out
}

/// One misconception per concept whose claim the answer contradicts.
pub fn wrong_claims(
    compiled: &CompiledRubric,
    analyzed: &Analyzed,
    findings: &[Finding],
    decided: &Decided,
    settings: &GradeSettings,
) -> Vec<StatedWrong> {
    let mut out: Vec<StatedWrong> = Vec::new();
    for missed in decided.missed.iter().filter(|m| m.contradicted) {
        let Some(i) = compiled
            .rubric
            .concepts
            .iter()
            .position(|c| c.id == missed.id)
        else {
            continue;
        };
        let Some(finding) = findings
            .iter()
            .find(|f| f.concept == i && f.verdict != Verdict::Supports)
        else {
            continue;
        };
        let concept = &compiled.rubric.concepts[i];
        let (what_ru, what_en) = match finding.verdict {
            Verdict::Reversed => ("Направление перепутано", "Direction reversed"),
            Verdict::Negated => ("Ключевое утверждение отрицается", "Key claim negated"),
            _ => (
                "Свойство приписано не тому",
                "Property given to the wrong subject",
            ),
        };
        let said = span(analyzed, finding.first_token, finding.last_token);
        let found = FoundMisconception {
            id: format!("claim-{}", concept.id),
            label: format!("{what_ru}: «{said}»"),
            label_en: Some(format!("{what_en}: \u{201c}{said}\u{201d}")),
            penalty: settings.wrong_claim_penalty,
            explanation: format!("Верно: {}", concept.label),
            explanation_en: Some(format!(
                "In fact: {}",
                concept.label_en.as_deref().unwrap_or(&concept.label)
            )),
            evidence: said,
        };
        out.push(StatedWrong::new(found, analyzed, finding.first_token));
    }
    out
}
