package de.zukunftsstadt.analysis;

import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_ALL;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_NUMBERS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_WORDS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.GENERATE_WORD_PARTS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.IGNORE_KEYWORDS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.PRESERVE_ORIGINAL;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.SPLIT_ON_NUMERICS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE;

import java.util.List;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** {@code word_delimiter_graph} with its flags and protected words; {@code type_table} is refused. */
@NamedComponent("word_delimiter_graph")
public class WordDelimiterGraphFilterFactory implements TokenFilterFactory {

    private final int flags;
    private final boolean adjustOffsets;
    private final CharArraySet protectedWords;

    @Inject
    public WordDelimiterGraphFilterFactory(WordDelimiterGraphSettings settings) {
        if (settings.typeTable().isEmpty() == false || settings.typeTablePath().isEmpty() == false) {
            throw new IllegalArgumentException("[type_table] is not supported by this plugin's word_delimiter_graph");
        }
        int f = 0;
        f |= settings.generateWordParts() ? GENERATE_WORD_PARTS : 0;
        f |= settings.generateNumberParts() ? GENERATE_NUMBER_PARTS : 0;
        f |= settings.catenateWords() ? CATENATE_WORDS : 0;
        f |= settings.catenateNumbers() ? CATENATE_NUMBERS : 0;
        f |= settings.catenateAll() ? CATENATE_ALL : 0;
        f |= settings.splitOnCaseChange() ? SPLIT_ON_CASE_CHANGE : 0;
        f |= settings.preserveOriginal() ? PRESERVE_ORIGINAL : 0;
        f |= settings.splitOnNumerics() ? SPLIT_ON_NUMERICS : 0;
        f |= settings.stemEnglishPossessive() ? STEM_ENGLISH_POSSESSIVE : 0;
        f |= settings.ignoreKeywords() ? IGNORE_KEYWORDS : 0;
        flags = f;
        adjustOffsets = settings.adjustOffsets();
        List<String> words = ConfigFiles.wordList(
            settings.protectedWordsPath(), settings.protectedWords(), "protected_words_path"
        );
        protectedWords = words == null ? null : new CharArraySet(words, settings.protectedWordsCase());
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new WordDelimiterGraphFilter(
            tokenStream, adjustOffsets, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE, flags, protectedWords
        );
    }
}
