package io.tidegate.mqtt.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password files as Debian's {@code mosquitto_passwd} (Mosquitto 2) writes them, read and checked. */
class PasswordFileTest {
    @TempDir
    Path dir;

    @Test
    void aFileStartedWithMinusCAndFilledWithMinusBChecksEachUsersPassword() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", file.toString(), "alice", "alice's secret");
        mosquittoPasswd("-b", file.toString(), "bob", "hunter2");

        PasswordFile passwords = PasswordFile.read(file);

        assertThat(Files.readString(file)).startsWith("alice:$7$101$");
        assertThat(passwords.size()).isEqualTo(2);
        assertThat(passwords.check("alice", bytes("alice's secret"))).isTrue();
        assertThat(passwords.check("bob", bytes("hunter2"))).isTrue();
    }

    @Test
    void aWrongPasswordAnotherUsersPasswordAndAnUnknownUserAreRefused() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", file.toString(), "alice", "alice's secret");
        mosquittoPasswd("-b", file.toString(), "bob", "hunter2");
        PasswordFile passwords = PasswordFile.read(file);

        assertThat(passwords.check("alice", bytes("alice's secreT"))).isFalse();
        assertThat(passwords.check("alice", bytes("hunter2"))).isFalse();
        assertThat(passwords.check("alice", bytes(""))).isFalse();
        assertThat(passwords.check("carol", bytes("hunter2"))).isFalse();
        assertThat(passwords.check("Alice", bytes("alice's secret"))).as("user names are case-sensitive").isFalse();
    }

    @Test
    void mosquitto1sSaltedSha512AndOtherIterationCountsAreCheckedToo() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-c", "-H", "sha512", "-b", file.toString(), "old-device", "legacy");
        mosquittoPasswd("-H", "sha512-pbkdf2", "-I", "1000", "-b", file.toString(), "slow-device", "patient");
        PasswordFile passwords = PasswordFile.read(file);

        assertThat(Files.readString(file)).contains("old-device:$6$").contains("slow-device:$7$1000$");
        assertThat(passwords.check("old-device", bytes("legacy"))).isTrue();
        assertThat(passwords.check("old-device", bytes("legacY"))).isFalse();
        assertThat(passwords.check("slow-device", bytes("patient"))).isTrue();
        assertThat(passwords.check("slow-device", bytes("patienT"))).isFalse();
    }

    @Test
    void aPasswordIsItsUtf8BytesSpacesColonsAndAllAsMosquittoTakesIt() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", file.toString(), "käfer", "pä ss:wörd $7$");
        PasswordFile passwords = PasswordFile.read(file);

        assertThat(passwords.check("käfer", bytes("pä ss:wörd $7$"))).isTrue();
        assertThat(passwords.check("käfer", "pä ss:wörd $7$".getBytes(StandardCharsets.ISO_8859_1))).isFalse();
    }

    @Test
    void theRepositorysDemoFileLetsEachProbeInWithItsOwnPasswordOnly() throws Exception {
        PasswordFile passwords = PasswordFile.read(Path.of("mosquitto", "passwd"));

        assertThat(passwords.size()).isEqualTo(51);
        assertThat(passwords.check("tidegate", Files.readString(Path.of("mosquitto", "tidegate-password")).strip()
                .getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(passwords.check("probe-07", bytes("demo-probe-07"))).isTrue();
        assertThat(passwords.check("probe-50", bytes("demo-probe-50"))).isTrue();
        assertThat(passwords.check("probe-07", bytes("demo-probe-08"))).isFalse();
    }

    @Test
    void commentsBlankLinesAndWindowsLineEndingsAreFine() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", file.toString(), "alice", "secret");
        String line = Files.readString(file).strip();
        Files.writeString(file, "# devices of the hall\r\n\r\n" + line + "\r\n   \n");

        assertThat(PasswordFile.read(file).check("alice", bytes("secret"))).isTrue();
    }

    @Test
    void aMalformedLineIsAnErrorNamingFileAndLineAndNeverQuotingTheHash() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", file.toString(), "alice", "secret");
        String alice = Files.readString(file).strip();
        String hash = alice.substring("alice:".length());

        assertRefused(file, alice + "\nbob\n", file + " line 2: expected user:hash, as mosquitto_passwd writes");
        assertRefused(file, "# users\nbob:plain-text\n", file + " line 2: user \"bob\": not a password hash "
                + "mosquitto_passwd writes ($7$<iterations>$<salt>$<hash> or $6$<salt>$<hash>); a plain-text "
                + "password file is hashed in place by mosquitto_passwd -U");
        assertRefused(file, ":" + hash + "\n", file + " line 1: empty user name");
        assertRefused(file, alice + "\n" + alice + "\n", file + " line 2: user \"alice\" is on line 1 already");
        assertRefused(file, "bob:" + hash.replace("$7$101$", "$7$many$") + "\n",
                file + " line 1: user \"bob\": the iteration count of a $7$ hash is not a number");
        assertRefused(file, "bob:" + hash.replace("$7$101$", "$7$2000000000$") + "\n",
                file + " line 1: user \"bob\": the iteration count of a $7$ hash must be 1 to 10000000, not 2000000000");
        assertRefused(file, "bob:" + hash.substring(0, hash.length() - 7) + "\n",
                file + " line 1: user \"bob\": the hash is not base64");
        assertRefused(file, "bob:" + hash.substring(0, hash.length() - 8) + "\n",
                file + " line 1: user \"bob\": the hash is 60 bytes, not the 64 of SHA-512");
        assertRefused(file, "bob:$7$101$*salt*$" + hash.substring(hash.lastIndexOf('$') + 1) + "\n",
                file + " line 1: user \"bob\": the salt is not base64");
    }

    @Test
    void aFileThatCannotBeReadIsAnErrorNamingIt() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> PasswordFile.read(missing)).isInstanceOf(AccessFileException.class)
                .hasMessage(missing + ": no such file");
    }

    private static void assertRefused(Path file, String content, String message) throws IOException {
        Files.writeString(file, content);
        assertThatThrownBy(() -> PasswordFile.read(file)).isInstanceOf(AccessFileException.class).hasMessage(message);
    }

    private static byte[] bytes(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }

    /** Debian's mosquitto_passwd, in batch mode. */
    static void mosquittoPasswd(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mosquitto_passwd"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.exitValue()).as("mosquitto_passwd %s: %s", command, output).isZero();
    }
}
