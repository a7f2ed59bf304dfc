package io.tidegate.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard is a dashboard Grafana can provision: the fields its schema requires, panels
 * that do not overlap on its 24-column grid, and a Prometheus query in every target. That each query
 * works and returns data against a real Prometheus scraping a real Tidegate is {@link DemoStackIT}'s part.
 */
class DashboardTest {
    private final JsonObject dashboard = Dashboard.json();

    @Test
    void theDashboardHasTheFieldsGrafanaProvisioningNeeds() {
        assertThat(dashboard.get("uid").getAsString()).isEqualTo("tidegate");
        assertThat(dashboard.get("title").getAsString()).isEqualTo("Tidegate");
        assertThat(dashboard.get("schemaVersion").getAsInt()).isGreaterThanOrEqualTo(36);
        assertThat(dashboard.has("id")).as("a provisioned dashboard must not carry a database id").isFalse();
        List<String> variables = new ArrayList<>();
        for (JsonElement variable : dashboard.getAsJsonObject("templating").getAsJsonArray("list")) {
            variables.add(variable.getAsJsonObject().get("name").getAsString());
        }
        assertThat(variables).containsExactly("datasource", "job");
    }

    @Test
    void everyPanelHasAUniqueIdATitleAPrometheusDatasourceAndQueries() {
        Set<Integer> ids = new HashSet<>();
        for (JsonObject panel : Dashboard.panels()) {
            String title = panel.get("title").getAsString();
            assertThat(title).isNotBlank();
            assertThat(ids.add(panel.get("id").getAsInt())).as("id of " + title + " is unique").isTrue();
            assertThat(panel.get("type").getAsString()).as(title).isIn("stat", "timeseries", "bargauge", "table");
            assertThat(panel.getAsJsonObject("datasource").get("uid").getAsString()).isEqualTo("${datasource}");
            assertThat(panel.getAsJsonArray("targets")).as(title).isNotEmpty();
            Set<String> refIds = new HashSet<>();
            for (JsonElement element : panel.getAsJsonArray("targets")) {
                JsonObject target = element.getAsJsonObject();
                assertThat(target.get("expr").getAsString()).as(title).isNotBlank();
                assertThat(refIds.add(target.get("refId").getAsString())).as("refIds of " + title).isTrue();
            }
        }
    }

    @Test
    void panelsFitTheGridWithoutOverlapping() {
        List<JsonObject> panels = Dashboard.panels();
        for (JsonObject panel : panels) {
            JsonObject at = panel.getAsJsonObject("gridPos");
            assertThat(at.get("x").getAsInt()).isGreaterThanOrEqualTo(0);
            assertThat(at.get("w").getAsInt()).isPositive();
            assertThat(at.get("h").getAsInt()).isPositive();
            assertThat(at.get("x").getAsInt() + at.get("w").getAsInt()).as(panel.get("title").getAsString()).isLessThanOrEqualTo(24);
        }
        for (int i = 0; i < panels.size(); i++) {
            for (int j = i + 1; j < panels.size(); j++) {
                assertThat(overlap(panels.get(i), panels.get(j)))
                        .as(panels.get(i).get("title") + " and " + panels.get(j).get("title")).isFalse();
            }
        }
    }

    @Test
    void theIssuesPanelsAreThere() {
        List<String> exprs = Dashboard.queries().stream().map(Dashboard.Query::expr).toList();

        assertThat(exprs).anyMatch(expr -> expr.contains("tidegate_groups"))
                .anyMatch(expr -> expr.contains("pushgateway_http_requests_total") && expr.contains("rate("))
                .anyMatch(expr -> expr.contains("tidegate_mqtt_messages_received_total"))
                .anyMatch(expr -> expr.contains("tidegate_mqtt_messages_rejected_total") && expr.contains("by (reason)"))
                .anyMatch(expr -> expr.contains("tidegate_expired_groups_total"))
                .anyMatch(expr -> expr.contains("time() - (push_time_seconds"))
                .anyMatch(expr -> expr.contains("push_expiry_time_seconds{job=~\"$job\"} - time()"));
    }

    private static boolean overlap(JsonObject a, JsonObject b) {
        JsonObject p = a.getAsJsonObject("gridPos");
        JsonObject q = b.getAsJsonObject("gridPos");
        return p.get("x").getAsInt() < q.get("x").getAsInt() + q.get("w").getAsInt()
                && q.get("x").getAsInt() < p.get("x").getAsInt() + p.get("w").getAsInt()
                && p.get("y").getAsInt() < q.get("y").getAsInt() + q.get("h").getAsInt()
                && q.get("y").getAsInt() < p.get("y").getAsInt() + p.get("h").getAsInt();
    }
}
