package de.zukunftsstadt.analysis;

import java.util.List;

import org.apache.lucene.analysis.CharArraySet;

/** The word list of a decompounder, as Elasticsearch's {@code Analysis.getWordSet} builds it. */
final class WordSets {

    private WordSets() {}

    /** The word set, or null when neither {@code word_list} nor {@code word_list_path} is set. */
    static CharArraySet compoundWords(CompoundSettings settings) {
        List<String> words = ConfigFiles.wordList(settings.wordListPath(), settings.wordList(), "word_list_path");
        return words == null ? null : new CharArraySet(words, settings.wordListCase());
    }

    static IllegalArgumentException missingWordList(String filterName) {
        return new IllegalArgumentException(
            "word_list must be provided for [" + filterName + "], either as a path to a file, or directly"
        );
    }
}
