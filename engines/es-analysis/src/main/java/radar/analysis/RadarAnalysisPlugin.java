package radar.analysis;

import java.util.Map;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/** The `english` analyzer and the `length` filter, as analysis-common defines them. */
public class RadarAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return Map.of("english", (indexSettings, env, name, settings) -> new English(name, settings));
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of("length", (indexSettings, env, name, settings) -> new Length(name, settings));
    }

    static final class English extends AbstractIndexAnalyzerProvider<EnglishAnalyzer> {
        private final EnglishAnalyzer analyzer = new EnglishAnalyzer();

        English(String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public EnglishAnalyzer get() {
            return analyzer;
        }
    }

    static final class Length extends AbstractTokenFilterFactory {
        private final int min;
        private final int max;

        Length(String name, Settings settings) {
            super(name, settings);
            min = settings.getAsInt("min", 0);
            max = settings.getAsInt("max", Integer.MAX_VALUE);
        }

        @Override
        public TokenStream create(TokenStream stream) {
            return new LengthFilter(stream, min, max);
        }
    }
}
