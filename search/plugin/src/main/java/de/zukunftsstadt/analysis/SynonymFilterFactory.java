package de.zukunftsstadt.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** {@code synonym} (the older, non-graph filter); see {@link Synonyms}. */
@NamedComponent("synonym")
public class SynonymFilterFactory implements TokenFilterFactory {

    private final SynonymMap synonyms;

    @Inject
    public SynonymFilterFactory(SynonymSettings settings) {
        synonyms = Synonyms.build(settings, "synonym");
    }

    @Override
    @SuppressWarnings("deprecation")
    public TokenStream create(TokenStream tokenStream) {
        if (synonyms == null) {
            throw new IllegalArgumentException(Synonyms.MISSING);
        }
        return synonyms.fst == null ? tokenStream : new SynonymFilter(tokenStream, synonyms, false);
    }
}
