package de.zukunftsstadt.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.compound.DictionaryCompoundWordTokenFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * {@code dictionary_decompounder}: adds the parts of a compound found in the word list.
 *
 * <p>A missing word list fails when the filter is used, not when it is built: the node builds
 * every plugin filter once with empty settings on each index creation (it cannot know that this
 * one needs settings), and that must not fail.
 */
@NamedComponent("dictionary_decompounder")
public class DictionaryDecompounderFactory implements TokenFilterFactory {

    private final CharArraySet words;
    private final int minWordSize;
    private final int minSubwordSize;
    private final int maxSubwordSize;
    private final boolean onlyLongestMatch;

    @Inject
    public DictionaryDecompounderFactory(CompoundSettings settings) {
        words = WordSets.compoundWords(settings);
        minWordSize = settings.minWordSize();
        minSubwordSize = settings.minSubwordSize();
        maxSubwordSize = settings.maxSubwordSize();
        onlyLongestMatch = settings.onlyLongestMatch();
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        if (words == null) {
            throw WordSets.missingWordList("dictionary_decompounder");
        }
        return new DictionaryCompoundWordTokenFilter(
            tokenStream, words, minWordSize, minSubwordSize, maxSubwordSize, onlyLongestMatch
        );
    }
}
