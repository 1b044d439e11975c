// Package faq is frontdesk's FAQ bot: the decision to answer, ask back or hand over to a
// person, from a knowledge base and a matcher trained on it. Its rooms:
//
//   - package knowledge: the knowledge base (KB) format and its checks, and the small-talk
//     module every KB includes (faq names its types: KB, Entry, LoadKB);
//   - package nlp: normalisation, stems, function words, language detection;
//   - package match: the matcher (features, synonym groups, background, SVM, naive Bayes,
//     calibration and its binary encoding): it learns classes from phrasings and ranks a
//     message with calibrated probabilities, knowing nothing of entries or customers;
//   - package decide: the decision policy: a ranking of entries with their probabilities to
//     answer, ask back or miss (Policy, Action, Outcome), and the choice of the threshold and
//     the ask-back floor from labelled predictions (faq names Action, its constants and Policy);
//   - this package: the bot (Bot.Decide: the policy's outcome and the conversation's state to
//     a reply), the model (Build: the KB's entries as the matcher's classes, the
//     cross-validation that gives the policy and the calibration their held-out predictions;
//     the model file: KB hash, classes, policy, then the matcher) and the evaluations
//     (Evaluate, Bot.Test). The matcher, the model and the decision do no I/O; reading files
//     is limited to Load, ReadExamplesFile and ReadTestCases.
//
// A knowledge base (KB) is YAML: entries with an id, phrasings and an answer per language
// (German, English), a short title for buttons, tags, follow-ups, and human: true for topics
// that always go to a person; out_of_scope: messages the bot must not answer. LoadKB reports
// every problem with file, line and entry.
//
// The matcher (package match) is pure Go and needs no model download: normalised text (case,
// umlauts and ß, accents, punctuation, emoji), Snowball stems (English from kljensen/snowball,
// German in package nlp), TF-IDF over stemmed word uni- and bigrams plus character 2–5-grams
// inside word boundaries (which carry typos), scored by a Crammer–Singer linear SVM and
// multinomial naive Bayes whose scores are weighted and calibrated on held-out predictions.
// Its answer threshold is chosen from the KB itself by cross-validation that holds out whole
// entries as stand-ins for out-of-scope questions, because a business has no out-of-scope
// examples to tune on. Build precomputes model and thresholds for a fast cold start.
//
// Bot.Decide turns one customer message plus the conversation's state (language, misses in a
// row, options offered) into a Decision: Answer, AskBack (two or three candidates, close ones
// or the best below the threshold, as WhatsApp buttons or Messenger quick replies), Clarify (first miss: please rephrase) or
// Escalate with a reason (asked for a person, second miss, human topic, unreadable media).
//
// The evaluation contract of "frontdesk faq eval" is Evaluate and CrossEvaluate; see
// docs/faq.md for the measured results. Reply limits follow the platforms:
// https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages
// and https://developers.facebook.com/docs/messenger-platform/send-messages/quick-replies.
package faq
