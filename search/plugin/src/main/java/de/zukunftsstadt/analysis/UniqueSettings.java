package de.zukunftsstadt.analysis;

import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;

/** Settings of {@code unique}. */
@AnalysisSettings
public interface UniqueSettings {

    @BooleanSetting(path = "only_on_same_position", defaultValue = false)
    boolean onlyOnSamePosition();
}
