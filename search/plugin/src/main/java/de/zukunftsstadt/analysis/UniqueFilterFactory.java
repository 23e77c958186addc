package de.zukunftsstadt.analysis;

import java.io.IOException;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * {@code unique}: drops tokens seen before in the stream, or with {@code only_on_same_position}
 * only those repeated at the same position (then it equals {@code remove_duplicates}).
 * Elasticsearch implements this filter itself; this is the same rule.
 */
@NamedComponent("unique")
public class UniqueFilterFactory implements TokenFilterFactory {

    private final boolean onlyOnSamePosition;

    @Inject
    public UniqueFilterFactory(UniqueSettings settings) {
        onlyOnSamePosition = settings.onlyOnSamePosition();
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new UniqueTokenFilter(tokenStream, onlyOnSamePosition);
    }

    static final class UniqueTokenFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final PositionIncrementAttribute posInc = addAttribute(PositionIncrementAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);
        private final boolean onlyOnSamePosition;

        UniqueTokenFilter(TokenStream in, boolean onlyOnSamePosition) {
            super(in);
            this.onlyOnSamePosition = onlyOnSamePosition;
        }

        @Override
        public boolean incrementToken() throws IOException {
            while (input.incrementToken()) {
                char[] buffer = term.buffer();
                int length = term.length();
                boolean duplicate;
                if (onlyOnSamePosition) {
                    int increment = posInc.getPositionIncrement();
                    if (increment > 0) {
                        seen.clear();
                    }
                    duplicate = increment == 0 && seen.contains(buffer, 0, length);
                } else {
                    duplicate = seen.contains(buffer, 0, length);
                }
                char[] copy = new char[length];
                System.arraycopy(buffer, 0, copy, 0, length);
                seen.add(copy);
                if (duplicate == false) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }
}
