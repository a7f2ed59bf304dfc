package io.tidegate.mqtt.access;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who the embedded broker lets in and what each client may do: the decisions, without the broker.
 *
 * <ul>
 *   <li>With a password file, a client that gives a user name must be in it with the right password;
 *       a client without one is anonymous, let in only with {@code --mqtt.embedded.allow-anonymous}.
 *   <li>Without a password file no user name can be checked, so every client is anonymous, and as in
 *       Mosquitto 2 anonymous clients are let in from loopback addresses only, unless
 *       {@code --mqtt.embedded.allow-anonymous}.
 *   <li>With an ACL file, what a client may publish and subscribe to is what the {@link
 *       AccessControlList} grants it (anonymous clients get the anonymous lines); without one, anything.
 * </ul>
 *
 * The files are read at construction and re-read by {@link #reload}, both or neither; the rules in
 * force are replaced in one step, so each decision sees one version of both. Thread-safe.
 */
public final class BrokerAccess {
    private record Files(PasswordFile passwords, AccessControlList acl) {}

    private final Path passwordFile; // null for none
    private final Path aclFile; // null for none
    private final boolean allowAnonymous;
    private volatile Files files;

    private BrokerAccess(Path passwordFile, Path aclFile, boolean allowAnonymous, Files files) {
        this.passwordFile = passwordFile;
        this.aclFile = aclFile;
        this.allowAnonymous = allowAnonymous;
        this.files = files;
    }

    /**
     * Reads the files the flags name.
     *
     * @param passwordFile {@code --mqtt.embedded.password-file}, or null
     * @param aclFile {@code --mqtt.embedded.acl-file}, or null
     * @throws AccessFileException naming the file, and the line, that cannot be used
     */
    public static BrokerAccess load(Path passwordFile, Path aclFile, boolean allowAnonymous)
            throws AccessFileException {
        return new BrokerAccess(passwordFile, aclFile, allowAnonymous, readFiles(passwordFile, aclFile));
    }

    /** No files, anonymous clients from loopback only: the embedded broker's default. */
    public static BrokerAccess loopbackAnonymous() {
        return new BrokerAccess(null, null, false, new Files(null, null));
    }

    private static Files readFiles(Path passwordFile, Path aclFile) throws AccessFileException {
        return new Files(passwordFile == null ? null : PasswordFile.read(passwordFile),
                aclFile == null ? null : AccessControlList.read(aclFile));
    }

    /**
     * Re-reads both files; on success the new rules are in force for every decision from now on, on
     * failure the old ones stay. Concurrent reloads (a signal and an HTTP request) run one after the other.
     *
     * @throws AccessFileException naming the file, and the line, that cannot be used
     */
    public synchronized void reload() throws AccessFileException {
        files = readFiles(passwordFile, aclFile);
    }

    /**
     * Whether to let a client in, and as whom.
     *
     * @param username the CONNECT's user name, null for none
     * @param password the CONNECT's password bytes, null for none
     * @param address where the connection comes from; null when unknown, which is no loopback address
     */
    public Login login(String username, byte[] password, InetAddress address) {
        PasswordFile passwords = files.passwords();
        if (passwords != null) {
            if (username != null) {
                if (password != null && passwords.check(username, password)) {
                    return new Login.Accepted(new Login.User(username, passwords.credentialOf(username).orElseThrow()));
                }
                return new Login.Refused(Login.Reason.BAD_USER_NAME_OR_PASSWORD,
                        password == null ? "no password given" : "unknown user name or wrong password");
            }
            if (password != null) {
                return new Login.Refused(Login.Reason.BAD_USER_NAME_OR_PASSWORD, "a password without a user name");
            }
            return allowAnonymous ? new Login.Accepted(new Login.Anonymous())
                    : new Login.Refused(Login.Reason.NOT_AUTHORIZED,
                            "anonymous clients are refused: there is a password file and no --mqtt.embedded.allow-anonymous");
        }
        if (allowAnonymous || address != null && address.isLoopbackAddress()) {
            return new Login.Accepted(new Login.Anonymous());
        }
        return new Login.Refused(Login.Reason.NOT_AUTHORIZED, "without a password file only clients on a loopback "
                + "address may connect, unless --mqtt.embedded.allow-anonymous");
    }

    /**
     * Whether a client let in earlier would still be let in under the rules in force: after a reload, a
     * user removed from the password file or given another password is not.
     */
    public boolean stillAdmitted(Login.Identity identity) {
        if (identity instanceof Login.User user) {
            PasswordFile passwords = files.passwords();
            return passwords != null && passwords.credentialOf(user.name()).filter(user.credential()::equals).isPresent();
        }
        return true;
    }

    /** Whether a client let in as {@code identity}, with this client id, may publish on {@code topic}. */
    public boolean mayPublish(Login.Identity identity, String clientId, String topic) {
        AccessControlList acl = files.acl();
        return acl == null || acl.mayPublish(nameOf(identity), clientId, topic);
    }

    /** Whether a client let in as {@code identity}, with this client id, may subscribe to {@code filter}. */
    public boolean maySubscribe(Login.Identity identity, String clientId, String filter) {
        AccessControlList acl = files.acl();
        return acl == null || acl.maySubscribe(nameOf(identity), clientId, filter);
    }

    private static String nameOf(Login.Identity identity) {
        return identity instanceof Login.User user ? user.name() : null;
    }

    /** Whether there is an ACL file: without one every client may publish and subscribe to anything. */
    public boolean hasAcl() {
        return aclFile != null;
    }

    public boolean allowsAnonymous() {
        return allowAnonymous;
    }

    public Optional<Path> passwordFile() {
        return Optional.ofNullable(passwordFile);
    }

    public Optional<Path> aclFile() {
        return Optional.ofNullable(aclFile);
    }

    /** How many users the password file in force has; 0 without one. */
    public int users() {
        PasswordFile passwords = files.passwords();
        return passwords == null ? 0 : passwords.size();
    }

    /** The ACL in force, for the counts in the log; empty without one. */
    public Optional<AccessControlList> acl() {
        return Optional.ofNullable(files.acl());
    }

    @Override
    public String toString() {
        return "BrokerAccess[password file " + passwordFile + ", ACL " + aclFile + ", anonymous "
                + (allowAnonymous ? "from anywhere" : passwordFile == null ? "from loopback" : "refused") + "]";
    }
}
