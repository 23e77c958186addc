package de.zukunftsstadt.analysis;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.compound.HyphenationCompoundWordTokenFilter;
import org.apache.lucene.analysis.compound.hyphenation.HyphenationTree;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.xml.sax.InputSource;

/**
 * {@code hyphenation_decompounder}: splits at the hyphenation points of an FOP XML grammar and
 * keeps the parts found in the word list. Without {@code hyphenation_patterns_path} it fails when
 * used, not when built (see {@link DictionaryDecompounderFactory}).
 */
@NamedComponent("hyphenation_decompounder")
public class HyphenationDecompounderFactory implements TokenFilterFactory {

    private final HyphenationTree tree;
    private final CharArraySet words;
    private final int minWordSize;
    private final int minSubwordSize;
    private final int maxSubwordSize;
    private final boolean onlyLongestMatch;
    private final boolean noSubMatches;
    private final boolean noOverlappingMatches;

    @Inject
    public HyphenationDecompounderFactory(HyphenationSettings settings) {
        String patterns = settings.hyphenationPatternsPath();
        minWordSize = settings.minWordSize();
        minSubwordSize = settings.minSubwordSize();
        maxSubwordSize = settings.maxSubwordSize();
        onlyLongestMatch = settings.onlyLongestMatch();
        noSubMatches = settings.noSubMatches();
        noOverlappingMatches = settings.noOverlappingMatches();
        if (patterns.isEmpty()) {
            tree = null;
            words = null;
            return;
        }
        Path file = ConfigFiles.resolve(patterns);
        try (InputStream in = Files.newInputStream(file)) {
            InputSource source = new InputSource(in);
            // Lets the parser find a DTD named relative to the grammar file.
            source.setSystemId(file.toUri().toString());
            tree = HyphenationCompoundWordTokenFilter.getHyphenationTree(source);
        } catch (Exception e) {
            throw new IllegalArgumentException("Exception while reading hyphenation_patterns_path.", e);
        }
        words = WordSets.compoundWords(settings);
        if (words == null) {
            throw WordSets.missingWordList("hyphenation_decompounder");
        }
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        if (tree == null) {
            throw new IllegalArgumentException("hyphenation_patterns_path is a required setting.");
        }
        return new HyphenationCompoundWordTokenFilter(
            tokenStream,
            tree,
            words,
            minWordSize,
            minSubwordSize,
            maxSubwordSize,
            onlyLongestMatch,
            noSubMatches,
            noOverlappingMatches
        );
    }
}
