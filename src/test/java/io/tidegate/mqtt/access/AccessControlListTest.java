package io.tidegate.mqtt.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Mosquitto's ACL file syntax and what it grants, for publishing and subscribing. */
class AccessControlListTest {
    private static final Path FILE = Path.of("acl");

    private static AccessControlList acl(String... lines) throws AccessFileException {
        return AccessControlList.parse(FILE, String.join("\n", lines) + "\n");
    }

    @Test
    void theRepositorysAclLetsADevicePublishOnlyGroupsOfItsOwnInstance() throws Exception {
        AccessControlList acl = AccessControlList.read(Path.of("mosquitto", "acl"));

        assertThat(acl.mayPublish("probe-07", "c1", "metrics/job/room_probe/instance/probe-07")).isTrue();
        assertThat(acl.mayPublish("probe-07", "c1", "metrics/job/room_probe/instance/probe-07/room/hall")).isTrue();
        assertThat(acl.mayPublish("probe-07", "c1", "metrics/job/room_probe/instance/probe-07/temperature_celsius"))
                .isTrue();
        assertThat(acl.mayPublish("probe-07", "c1", "metrics/job/room_probe/instance/probe-08")).isFalse();
        assertThat(acl.mayPublish("probe-07", "c1", "metrics/job/room_probe")).isFalse();
        assertThat(acl.mayPublish("probe-07", "c1", "metrics/job/room_probe/room/probe-07")).isFalse();
        assertThat(acl.mayPublish("probe-07", "c1", "metrics/tidegate/status")).isFalse();
        assertThat(acl.maySubscribe("probe-07", "c1", "metrics/job/room_probe/instance/probe-07"))
                .as("write is not read").isFalse();
    }

    @Test
    void theRepositorysAclLetsTheTidegateUserReadEveryMetricAndWriteItsStatusOnly() throws Exception {
        AccessControlList acl = AccessControlList.read(Path.of("mosquitto", "acl"));

        assertThat(acl.maySubscribe("tidegate", "tidegate-host", "metrics/job/#")).isTrue();
        assertThat(acl.maySubscribe("tidegate", "tidegate-host", "metrics/job@base64/#")).isTrue();
        assertThat(acl.maySubscribe("tidegate", "tidegate-host", "metrics/#")).isTrue();
        assertThat(acl.maySubscribe("tidegate", "tidegate-host", "#")).isFalse();
        assertThat(acl.mayPublish("tidegate", "tidegate-host", "metrics/tidegate/status")).isTrue();
        assertThat(acl.mayPublish("tidegate", "tidegate-host", "metrics/job/x")).isFalse();
    }

    @Test
    void anonymousClientsGetTheTopicsBeforeTheFirstUserLineAndNoPatternWithU() throws Exception {
        AccessControlList acl = acl(
                "topic read public/#",
                "pattern write devices/%u/#",
                "pattern write clients/%c",
                "user alice",
                "topic readwrite alice/#");

        assertThat(acl.maySubscribe(null, "anon-1", "public/news")).isTrue();
        assertThat(acl.mayPublish(null, "anon-1", "public/news")).as("read only").isFalse();
        assertThat(acl.mayPublish(null, "anon-1", "devices/anon-1/x")).as("%u is no one's").isFalse();
        assertThat(acl.mayPublish(null, "anon-1", "clients/anon-1")).as("%c is everyone's").isTrue();
        assertThat(acl.mayPublish(null, "anon-1", "alice/x")).isFalse();

        assertThat(acl.maySubscribe("alice", "a1", "public/news")).as("the anonymous lines are not a user's").isFalse();
        assertThat(acl.mayPublish("alice", "a1", "alice/x")).isTrue();
        assertThat(acl.mayPublish("alice", "a1", "devices/alice/temp")).isTrue();
        assertThat(acl.mayPublish("alice", "a1", "devices/bob/temp")).isFalse();
        assertThat(acl.mayPublish("alice", "a1", "clients/a1")).isTrue();
        assertThat(acl.mayPublish("alice", "a1", "clients/a2")).isFalse();
        assertThat(acl.mayPublish("bob", "b1", "devices/bob/temp")).as("patterns apply to users with no user lines")
                .isTrue();
    }

    @Test
    void patternsApplyToEveryoneEvenWhenWrittenUnderAUserLine() throws Exception {
        AccessControlList acl = acl("user alice", "topic alice/#", "pattern readwrite home/%u/#");

        assertThat(acl.mayPublish("bob", "b1", "home/bob/lamp")).isTrue();
        assertThat(acl.mayPublish("bob", "b1", "alice/x")).isFalse();
    }

    @Test
    void whatNoLineGrantsIsDeniedAndADenyWinsOverEveryGrant() throws Exception {
        AccessControlList acl = acl(
                "pattern deny devices/%u/secret",
                "user alice",
                "topic readwrite devices/#",
                "topic deny devices/bob/#",
                "topic readwrite devices/bob/public");

        assertThat(acl.mayPublish("alice", "a1", "devices/alice/temp")).isTrue();
        assertThat(acl.mayPublish("alice", "a1", "devices/bob/public")).as("a user's deny").isFalse();
        assertThat(acl.mayPublish("alice", "a1", "devices/alice/secret")).as("a pattern's deny").isFalse();
        assertThat(acl.mayPublish("alice", "a1", "other/topic")).isFalse();
        assertThat(acl.mayPublish("carol", "c1", "devices/carol/temp")).isFalse();
    }

    @Test
    void plusAndHashInRulesMatchLevelsAsInSubscriptionsAndHashAlsoItsParent() throws Exception {
        AccessControlList acl = acl("user u", "topic write a/+/c", "topic write d/#",
                "topic write +");

        assertThat(acl.mayPublish("u", "c", "a/b/c")).isTrue();
        assertThat(acl.mayPublish("u", "c", "a/b/b/c")).isFalse();
        assertThat(acl.mayPublish("u", "c", "a//c")).as("an empty level is a level").isTrue();
        assertThat(acl.mayPublish("u", "c", "d")).isTrue();
        assertThat(acl.mayPublish("u", "c", "d/e/f")).isTrue();
        assertThat(acl.mayPublish("u", "c", "de/f")).isFalse();
        assertThat(acl.mayPublish("u", "c", "single")).isTrue();
        assertThat(acl.mayPublish("u", "c", "$SYS")).as("a first-level wildcard reaches no $ topic").isFalse();
    }

    @Test
    void theWildcardRuleHashReachesEverythingButDollarTopics() throws Exception {
        AccessControlList acl = acl("user admin", "topic readwrite #", "topic read $SYS/#");

        assertThat(acl.mayPublish("admin", "c", "any/topic")).isTrue();
        assertThat(acl.mayPublish("admin", "c", "$SYS/broker/uptime")).isFalse();
        assertThat(acl.maySubscribe("admin", "c", "$SYS/broker/#")).isTrue();
        assertThat(acl.maySubscribe("admin", "c", "#")).isTrue();
        assertThat(acl.maySubscribe("admin", "c", "+/uptime")).isTrue();
    }

    @Test
    void aSubscriptionNeedsOneReadGrantCoveringAllOfItAndNoDenyReachingIntoIt() throws Exception {
        AccessControlList acl = acl("user reader",
                "topic read metrics/#",
                "topic read sensors/+/temperature",
                "topic deny metrics/private/#",
                "topic write sensors/#");

        assertThat(acl.maySubscribe("reader", "r", "metrics/job/+")).isTrue();
        assertThat(acl.maySubscribe("reader", "r", "metrics/job/#")).isTrue();
        assertThat(acl.maySubscribe("reader", "r", "metrics/#")).as("reaches metrics/private").isFalse();
        assertThat(acl.maySubscribe("reader", "r", "metrics/+/x")).as("reaches metrics/private/x").isFalse();
        assertThat(acl.maySubscribe("reader", "r", "metrics/private/x")).isFalse();
        assertThat(acl.maySubscribe("reader", "r", "sensors/hall/temperature")).isTrue();
        assertThat(acl.maySubscribe("reader", "r", "sensors/+/temperature")).isTrue();
        assertThat(acl.maySubscribe("reader", "r", "sensors/#")).as("reaches beyond the read grant").isFalse();
        assertThat(acl.maySubscribe("reader", "r", "sensors/hall/humidity")).isFalse();
        assertThat(acl.maySubscribe("reader", "r", "$share/group/metrics/job/#")).as("a shared subscription").isTrue();
        assertThat(acl.maySubscribe("reader", "r", "$share/group/sensors/#")).isFalse();
    }

    @Test
    void aUserNameOrClientIdThatWouldSpanLevelsGetsNothingFromPatternsAndADenyPatternDeniesIt() throws Exception {
        AccessControlList acl = acl("pattern write devices/%u/#", "pattern write clients/%c", "user x/y",
                "topic write own/#");

        assertThat(acl.mayPublish("x/y", "c1", "devices/x/y/temp")).isFalse();
        assertThat(acl.mayPublish("+", "c1", "devices/anything/temp")).isFalse();
        assertThat(acl.mayPublish("#", "c1", "devices/#")).isFalse();
        assertThat(acl.mayPublish("x/y", "c1", "own/z")).as("its own topic lines still apply").isTrue();
        assertThat(acl.mayPublish("u", "a/b", "clients/a/b")).isFalse();

        AccessControlList denying = acl("user x/y", "topic write own/#", "pattern deny own/%u");
        assertThat(denying.mayPublish("x/y", "c1", "own/z")).as("a deny that cannot be worked out denies").isFalse();
    }

    @Test
    void aSubstitutionOnlyReplacesAWholeLevelAndTopicLinesAreLiteral() throws Exception {
        AccessControlList acl = acl("pattern write dev_%u/x", "user alice", "topic write home/%u");

        assertThat(acl.mayPublish("alice", "c", "dev_alice/x")).isFalse();
        assertThat(acl.mayPublish("alice", "c", "dev_%u/x")).isTrue();
        assertThat(acl.mayPublish("alice", "c", "home/alice")).isFalse();
        assertThat(acl.mayPublish("alice", "c", "home/%u")).isTrue();
    }

    @Test
    void theAccessMayBeLeftOutAndMeansReadwriteAndFiltersMayHoldSpaces() throws Exception {
        AccessControlList acl = acl("user u", "topic plain/#", "topic read living room/temp", "topic read",
                "  # an indented comment", "\tuser  v  ", "topic write v/#");

        assertThat(acl.mayPublish("u", "c", "plain/x")).isTrue();
        assertThat(acl.maySubscribe("u", "c", "plain/x")).isTrue();
        assertThat(acl.maySubscribe("u", "c", "living room/temp")).isTrue();
        assertThat(acl.mayPublish("u", "c", "read")).as("one word is the filter, as in Mosquitto").isTrue();
        assertThat(acl.mayPublish("v", "c", "v/x")).isTrue();
    }

    @Test
    void aWrongLineIsAnErrorNamingFileAndLine() {
        assertRefused("acl line 2: unknown access \"wrte\" (expected read, write, readwrite or deny)",
                "user u", "topic wrte a/b");
        assertRefused("acl line 1: unknown keyword \"topik\" (expected topic, pattern, user or a # comment)",
                "topik read a");
        assertRefused("acl line 3: invalid topic filter \"a/#/b\": # must be a whole level, and the last one",
                "# rules", "", "pattern read a/#/b");
        assertRefused("acl line 1: invalid topic filter \"a/b+\": + must be a whole level", "topic a/b+");
        assertRefused("acl line 1: user without a name", "user");
        assertRefused("acl line 2: topic without a topic filter", "user u", "topic");
    }

    private static void assertRefused(String message, String... lines) {
        assertThatThrownBy(() -> acl(lines)).isInstanceOf(AccessFileException.class).hasMessage(message);
    }
}
