package de.zukunftsstadt.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** {@code synonym_graph}; see {@link Synonyms} for how the rules are analysed. */
@NamedComponent("synonym_graph")
public class SynonymGraphFilterFactory implements TokenFilterFactory {

    private final SynonymMap synonyms;

    @Inject
    public SynonymGraphFilterFactory(SynonymSettings settings) {
        synonyms = Synonyms.build(settings, "synonym_graph");
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        if (synonyms == null) {
            throw new IllegalArgumentException(Synonyms.MISSING);
        }
        return synonyms.fst == null ? tokenStream : new SynonymGraphFilter(tokenStream, synonyms, false);
    }
}
