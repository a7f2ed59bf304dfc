package io.tidegate.mqtt.access;

import static io.tidegate.mqtt.access.PasswordFileTest.mosquittoPasswd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who the embedded broker lets in, from where, as whom, and what the ACL then lets them do: the
 * decisions the broker's authenticator and authorizer hand on.
 */
class BrokerAccessTest {
    private static final InetAddress LOOPBACK_V4 = address("127.0.0.1");
    private static final InetAddress LOOPBACK_V6 = address("::1");
    private static final InetAddress OTHER_LOOPBACK = address("127.3.2.1");
    private static final InetAddress LAN = address("192.0.2.2");
    private static final InetAddress LAN_V6 = address("fd00::2");

    @TempDir
    Path dir;

    @Test
    void withoutAPasswordFileAnonymousClientsComeInFromLoopbackOnly() {
        BrokerAccess access = BrokerAccess.loopbackAnonymous();

        for (InetAddress loopback : new InetAddress[] {LOOPBACK_V4, LOOPBACK_V6, OTHER_LOOPBACK}) {
            assertThat(access.login(null, null, loopback)).as(loopback.toString()).isEqualTo(anonymous());
        }
        for (InetAddress remote : new InetAddress[] {LAN, LAN_V6}) {
            assertThat(access.login(null, null, remote)).as(remote.toString()).isEqualTo(new Login.Refused(
                    Login.Reason.NOT_AUTHORIZED, "without a password file only clients on a loopback address may "
                    + "connect, unless --mqtt.embedded.allow-anonymous"));
        }
    }

    @Test
    void withoutAPasswordFileAUserNameCannotBeCheckedSoItCountsForNothing() {
        BrokerAccess access = BrokerAccess.loopbackAnonymous();

        assertThat(access.login("probe-07", bytes("anything"), LOOPBACK_V4)).isEqualTo(anonymous());
        assertThat(access.login("probe-07", bytes("anything"), LAN)).isInstanceOf(Login.Refused.class);
    }

    @Test
    void allowAnonymousLetsAnonymousClientsInFromAnywhere() throws Exception {
        BrokerAccess access = BrokerAccess.load(null, null, true);

        assertThat(access.login(null, null, LAN)).isEqualTo(anonymous());
        assertThat(access.login(null, null, LAN_V6)).isEqualTo(anonymous());
    }

    @Test
    void withAPasswordFileAUserComesInWithTheRightPasswordOnlyAndAnonymousClientsNotEvenFromLoopback()
            throws Exception {
        Path passwd = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", passwd.toString(), "probe-07", "demo-probe-07");
        BrokerAccess access = BrokerAccess.load(passwd, null, false);

        assertThat(access.login("probe-07", bytes("demo-probe-07"), LAN)).isInstanceOfSatisfying(Login.Accepted.class,
                accepted -> assertThat(accepted.identity()).isInstanceOfSatisfying(Login.User.class,
                        user -> assertThat(user.name()).isEqualTo("probe-07")));
        assertThat(access.login("probe-07", bytes("wrong"), LOOPBACK_V4)).isEqualTo(new Login.Refused(
                Login.Reason.BAD_USER_NAME_OR_PASSWORD, "unknown user name or wrong password"));
        assertThat(access.login("probe-08", bytes("demo-probe-07"), LOOPBACK_V4)).isEqualTo(new Login.Refused(
                Login.Reason.BAD_USER_NAME_OR_PASSWORD, "unknown user name or wrong password"));
        assertThat(access.login("probe-07", null, LOOPBACK_V4)).isEqualTo(new Login.Refused(
                Login.Reason.BAD_USER_NAME_OR_PASSWORD, "no password given"));
        assertThat(access.login(null, null, LOOPBACK_V4)).isEqualTo(new Login.Refused(Login.Reason.NOT_AUTHORIZED,
                "anonymous clients are refused: there is a password file and no --mqtt.embedded.allow-anonymous"));
        assertThat(access.login(null, bytes("demo-probe-07"), LOOPBACK_V4)).isInstanceOf(Login.Refused.class);
    }

    @Test
    void withAPasswordFileAndAllowAnonymousAnonymousClientsComeInAndUsersStillNeedTheirPassword() throws Exception {
        Path passwd = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", passwd.toString(), "probe-07", "demo-probe-07");
        BrokerAccess access = BrokerAccess.load(passwd, null, true);

        assertThat(access.login(null, null, LAN)).isEqualTo(anonymous());
        assertThat(access.login("probe-07", bytes("wrong"), LAN)).isInstanceOf(Login.Refused.class);
    }

    @Test
    void theRepositorysFilesLetAProbePublishItsOwnInstanceOnly() throws Exception {
        BrokerAccess access = BrokerAccess.load(Path.of("mosquitto", "passwd"), Path.of("mosquitto", "acl"), false);
        Login.Identity probe = ((Login.Accepted) access.login("probe-07", bytes("demo-probe-07"), LAN)).identity();

        assertThat(access.mayPublish(probe, "c", "metrics/job/room_probe/instance/probe-07")).isTrue();
        assertThat(access.mayPublish(probe, "c", "metrics/job/room_probe/instance/probe-08")).isFalse();
        assertThat(access.maySubscribe(probe, "c", "metrics/#")).isFalse();
    }

    @Test
    void withoutAnAclFileEveryClientLetInMayDoAnything() {
        BrokerAccess access = BrokerAccess.loopbackAnonymous();

        assertThat(access.hasAcl()).isFalse();
        assertThat(access.mayPublish(new Login.Anonymous(), "c", "any/topic")).isTrue();
        assertThat(access.maySubscribe(new Login.Anonymous(), "c", "#")).isTrue();
    }

    @Test
    void aReloadPutsBothNewFilesInForceOrNeither() throws Exception {
        Path passwd = dir.resolve("passwd");
        Path acl = dir.resolve("acl");
        mosquittoPasswd("-c", "-b", passwd.toString(), "alice", "one");
        Files.writeString(acl, "user alice\ntopic write a/#\n");
        BrokerAccess access = BrokerAccess.load(passwd, acl, false);
        Login.Identity alice = ((Login.Accepted) access.login("alice", bytes("one"), LAN)).identity();

        Files.writeString(acl, "user alice\ntopic write b/#\n");
        access.reload();
        assertThat(access.mayPublish(alice, "c", "a/x")).isFalse();
        assertThat(access.mayPublish(alice, "c", "b/x")).isTrue();

        mosquittoPasswd("-b", passwd.toString(), "bob", "two");
        Files.writeString(acl, "user alice\ntopic wirte c/#\n");
        assertThatThrownBy(access::reload).isInstanceOf(AccessFileException.class)
                .hasMessage(acl + " line 2: unknown access \"wirte\" (expected read, write, readwrite or deny)");
        assertThat(access.mayPublish(alice, "c", "b/x")).as("the old ACL stays").isTrue();
        assertThat(access.login("bob", bytes("two"), LAN)).as("and the old password file with it")
                .isInstanceOf(Login.Refused.class);
    }

    @Test
    void afterAReloadAUserRemovedOrGivenAnotherPasswordIsNoLongerAdmitted() throws Exception {
        Path passwd = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", passwd.toString(), "alice", "one");
        mosquittoPasswd("-b", passwd.toString(), "bob", "two");
        mosquittoPasswd("-b", passwd.toString(), "carol", "three");
        BrokerAccess access = BrokerAccess.load(passwd, null, false);
        Login.Identity alice = ((Login.Accepted) access.login("alice", bytes("one"), LAN)).identity();
        Login.Identity bob = ((Login.Accepted) access.login("bob", bytes("two"), LAN)).identity();
        Login.Identity carol = ((Login.Accepted) access.login("carol", bytes("three"), LAN)).identity();

        mosquittoPasswd("-D", passwd.toString(), "alice");
        mosquittoPasswd("-b", passwd.toString(), "bob", "new");
        access.reload();

        assertThat(access.stillAdmitted(alice)).isFalse();
        assertThat(access.stillAdmitted(bob)).isFalse();
        assertThat(access.stillAdmitted(carol)).isTrue();
        assertThat(access.stillAdmitted(new Login.Anonymous())).as("an anonymous client stays").isTrue();
    }

    private static Login anonymous() {
        return new Login.Accepted(new Login.Anonymous());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
