package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.tidegate.mqtt.access.BrokerAccess;
import io.tidegate.mqtt.access.Login;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's logins: HiveMQ asks it about every CONNECT ({@link SimpleAuthenticator}); it
 * asks {@link BrokerAccess}, answers, and remembers as whom each connection came in:
 *
 * <ul>
 *   <li>for the authorizer, in the connection's attributes (which only extensions can write, never a
 *       client), which live as long as the connection: a PUBLISH authorized after HiveMQ already
 *       reported its client gone (a QoS 0 publish right before DISCONNECT) is still judged as whom it came;
 *   <li>for a reload that removes a user, in a table of the connections let in, under a number the
 *       connection's attributes carry, until HiveMQ reports the connection gone ({@link ClientLifecycleEventListener}).
 * </ul>
 *
 * Thread-safe: HiveMQ calls it from its extension threads.
 */
final class BrokerLogins implements SimpleAuthenticator, ClientLifecycleEventListener {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final String CONNECTION_ATTRIBUTE = "io.tidegate.connection";
    private static final String KIND_ATTRIBUTE = "io.tidegate.login";
    private static final String USER_ATTRIBUTE = "io.tidegate.user";
    private static final String CREDENTIAL_ATTRIBUTE = "io.tidegate.credential";

    private record Admitted(String clientId, Login.Identity identity, ConnectionAttributeStore attributes) {}

    private final BrokerAccess access;
    private final BrokerRefusals refusals;
    private volatile ClientService clients; // this broker's, given at the extension's start
    private final AtomicLong connections = new AtomicLong();
    private final Map<String, Admitted> admitted = new ConcurrentHashMap<>();

    BrokerLogins(BrokerAccess access, BrokerRefusals refusals) {
        this.access = access;
        this.refusals = refusals;
    }

    @Override
    public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        ConnectPacket connect = input.getConnectPacket();
        String clientId = input.getClientInformation().getClientId();
        String username = connect.getUserName().orElse(null);
        byte[] password = connect.getPassword().map(BrokerLogins::bytes).orElse(null);
        InetAddress address = input.getConnectionInformation().getInetAddress().orElse(null);
        Login login = access.login(username, password, address);
        if (login instanceof Login.Accepted accepted) {
            String number = Long.toString(connections.incrementAndGet());
            ConnectionAttributeStore attributes = input.getConnectionInformation().getConnectionAttributeStore();
            attributes.putAsString(KIND_ATTRIBUTE, accepted.identity().kind());
            if (accepted.identity() instanceof Login.User user) {
                attributes.putAsString(USER_ATTRIBUTE, user.name());
                attributes.putAsString(CREDENTIAL_ATTRIBUTE, user.credential());
            }
            attributes.putAsString(CONNECTION_ATTRIBUTE, number);
            admitted.put(number, new Admitted(clientId, accepted.identity(), attributes));
            output.authenticateSuccessfully();
            log.atDebug().addKeyValue("client_id", clientId).addKeyValue("as", accepted.identity().kind())
                    .addKeyValue("user", shown(username)).addKeyValue("address", shown(address))
                    .log("MQTT client logged in");
            return;
        }
        Login.Refused refused = (Login.Refused) login;
        output.failAuthentication(refused.reason() == Login.Reason.BAD_USER_NAME_OR_PASSWORD
                ? ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD : ConnackReasonCode.NOT_AUTHORIZED, refused.message());
        refusals.refused("login " + shown(address) + " " + refused.reason(), "MQTT client refused", line -> line
                .addKeyValue("client_id", clientId).addKeyValue("user", shown(username))
                .addKeyValue("address", shown(address)).addKeyValue("reason", refused.message()));
    }

    /** The broker's client service, to disconnect clients with: {@link BrokerExtension} hands it over at its start. */
    void useClientService(ClientService clientService) {
        this.clients = clientService;
    }

    /** As whom the connection came in; null for one this broker did not let in (which cannot ask anything). */
    Login.Identity identityOf(ConnectionInformation connection) {
        ConnectionAttributeStore attributes = connection.getConnectionAttributeStore();
        String kind = attributes.getAsString(KIND_ATTRIBUTE).orElse("");
        return switch (kind) {
            case "anonymous" -> new Login.Anonymous();
            case "user" -> new Login.User(attributes.getAsString(USER_ATTRIBUTE).orElseThrow(),
                    attributes.getAsString(CREDENTIAL_ATTRIBUTE).orElseThrow());
            default -> null;
        };
    }

    /**
     * Disconnects every client let in as a user the password file in force no longer has, or has with
     * another password: after a reload, as Mosquitto does. Anonymous clients stay.
     */
    void disconnectRevoked() {
        admitted.forEach((number, client) -> {
            if (!access.stillAdmitted(client.identity())) {
                Login.User user = (Login.User) client.identity();
                admitted.remove(number);
                client.attributes().putAsString(KIND_ATTRIBUTE, "revoked"); // nothing more, until it is gone
                clients.disconnectClient(client.clientId(), false, DisconnectReasonCode.NOT_AUTHORIZED,
                        "the password file no longer lets this user in");
                log.atInfo().addKeyValue("client_id", client.clientId()).addKeyValue("user", user.name())
                        .log("MQTT client disconnected: its user is no longer in the password file, or has another "
                                + "password");
            }
        });
    }

    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {}

    /** Every way a connection ends (lost, closed by either side, refused) comes here. */
    @Override
    public void onDisconnect(DisconnectEventInput input) {
        input.getConnectionInformation().getConnectionAttributeStore().getAsString(CONNECTION_ATTRIBUTE)
                .ifPresent(number -> {
                    if (admitted.remove(number) != null) {
                        log.atDebug().addKeyValue("client_id", input.getClientInformation().getClientId())
                                .addKeyValue("connected", admitted.size()).log("MQTT client gone");
                    }
                });
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.asReadOnlyBuffer();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    private static String shown(Object value) {
        return value == null ? "" : value instanceof InetAddress address ? address.getHostAddress() : value.toString();
    }
}
