package de.zukunftsstadt.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.de.GermanStemFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** {@code german_stem}: Lucene's GermanStemFilter (Caumanns), as Elasticsearch registers it. */
@NamedComponent("german_stem")
public class GermanStemFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new GermanStemFilter(tokenStream);
    }
}
