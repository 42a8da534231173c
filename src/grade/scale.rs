//! From covered weight to the 0–100 score: the full-marks curve, the blend with the
//! reference answer, caps (a required concept missing, a keyword list) and penalties.

use super::coverage::Decided;
use super::depth::Measured;
use super::text::Analyzed;
use super::{round1, round3, CompiledRubric, Grade, GradeFlag, GradeSettings, StatedWrong};

/// The score of the covered weight, before caps and penalties.
pub fn curve(
    compiled: &CompiledRubric,
    coverage: f64,
    analyzed: &Analyzed,
    settings: &GradeSettings,
) -> f64 {
    let scoring = compiled.rubric.scoring.clone().unwrap_or_default();
    let full_marks = scoring
        .full_marks_coverage
        .unwrap_or(settings.full_marks_coverage);
    let exponent = scoring.coverage_exponent.unwrap_or(1.0).clamp(0.05, 20.0);
    let mut score = 100.0 * (coverage / full_marks.max(0.01)).min(1.0).powf(exponent);
    let blend = scoring.reference_blend.unwrap_or(0.0).clamp(0.0, 1.0);
    if blend > 0.0 && !compiled.reference.is_empty() {
        let overlap = compiled.reference.overlap(analyzed, settings);
        score = (1.0 - blend) * score + blend * 100.0 * overlap;
    }
    score
}

/// The final grade: curve, caps, penalties and the flags that explain them.
pub fn finish(
    compiled: &CompiledRubric,
    analyzed: &Analyzed,
    depth: Measured,
    decided: Decided,
    misconceptions: Vec<StatedWrong>,
    mut flags: Vec<GradeFlag>,
    settings: &GradeSettings,
) -> Grade {
    let total = compiled.rubric.total_weight();
    let coverage = if total > 0.0 {
        decided.earned / total
    } else {
        0.0
    };
    let mut score = curve(compiled, coverage, analyzed, settings);
    if let Measured::Capped(cap) = depth {
        if score > cap {
            score = cap;
            flags.push(GradeFlag::Brief);
        }
    }
    if decided.required_wrong && score > settings.required_wrong_cap {
        score = settings.required_wrong_cap;
        flags.push(GradeFlag::RequiredWrong);
    } else if decided.required_missing && score > settings.required_missing_cap {
        score = settings.required_missing_cap;
        flags.push(GradeFlag::RequiredMissing);
    }
    // Mostly names without statements: a list of the right terms shows little understanding,
    // however many terms it names.
    let named_only = decided
        .covered
        .iter()
        .filter(|c| !c.found_by.is_explained())
        .count();
    // An answer as deep as the reference is not a keyword list, even when few of its sentences
    // have a verb: "Retrieval: гибридный поиск — BM25 (аббревиатуры, коды ошибок) плюс dense
    // embeddings, слияние через RRF, затем cross-encoder reranker на топ-50" says a great deal.
    if decided.covered.len() >= 2
        && named_only * 3 > decided.covered.len() * 2
        && depth != Measured::Deep
    {
        flags.push(GradeFlag::KeywordList);
        // A rubric that credits a bare name in full (drafted short-answer rubrics) says that
        // naming the terms is the answer: no cap there.
        if decided.bare_credit < 1.0 {
            score = score.min(settings.keyword_list_cap);
        }
    }
    if stated_in_sentences(&misconceptions) >= 2 && score > settings.wrong_statements_cap {
        score = settings.wrong_statements_cap;
        flags.push(GradeFlag::WrongStatements);
    }
    let misconceptions: Vec<_> = misconceptions.into_iter().map(|s| s.found).collect();
    score -= misconceptions.iter().map(|m| m.penalty).sum::<f64>();
    if decided.covered.is_empty() && misconceptions.is_empty() {
        flags.push(GradeFlag::OffTopic);
    }
    Grade {
        score: round1(score.clamp(0.0, 100.0)),
        coverage: round3(coverage),
        covered: decided.covered,
        missed: decided.missed,
        misconceptions,
        flags,
    }
}

/// In how many sentences the answer states a wrong claim.
fn stated_in_sentences(stated: &[StatedWrong]) -> usize {
    let mut sentences: Vec<u32> = stated.iter().map(|s| s.sentence).collect();
    sentences.sort_unstable();
    sentences.dedup();
    sentences.len()
}
