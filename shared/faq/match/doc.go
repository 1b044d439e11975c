// Package match is the FAQ bot's matcher: it learns classes from a few phrasings each (text,
// language, class) and ranks a message against them with calibrated probabilities. It knows
// nothing of knowledge bases, entries or what a customer is shown: package faq trains it on a
// KB's entries, and package decide turns its ranking into an answer, an ask-back or a miss.
//
// The matcher is pure Go and needs no model download: normalised text (package nlp), TF-IDF
// over stemmed word uni- and bigrams, character 2–5-grams inside word boundaries (which carry
// typos), synonym groups of the stems (lexicon/, compiled from WordNet and OpenThesaurus) and
// function words in a block of their own, scored by a Crammer–Singer linear SVM and
// multinomial naive Bayes. An out-of-scope class trained on the caller's negatives and a
// shipped background of everyday messages (background/) stays in the softmax. The two models'
// scores are weighted and calibrated on held-out predictions (HoldOut, FitScales,
// Predictions): the caller's cross-validation provides them.
//
// Train builds a matcher (DefaultConfig is the tuned setting; Config's knobs are for
// benchmarks); Rank and Probs score a text; MarshalBinary and Unmarshal store a trained
// matcher, so a Lambda loads it instead of training at cold start. The package does no I/O:
// its data (lexicon/, background/) is embedded in the binary.
package match
