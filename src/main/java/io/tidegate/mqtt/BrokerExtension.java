package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import io.tidegate.mqtt.access.BrokerAccess;
import java.time.Clock;

/**
 * Tidegate's part inside the embedded HiveMQ, as an embedded extension ({@code EmbeddedBroker} hands
 * it to {@code EmbeddedHiveMQ.builder().withEmbeddedExtension}): HiveMQ starts it before its listener
 * takes the first connection, and everything Tidegate hooks into the broker is registered in
 * {@link #extensionStart}, in one place:
 *
 * <ol>
 *   <li>logins ({@link BrokerLogins}, HiveMQ's {@code SimpleAuthenticator}): the password file, the
 *       anonymous rule, Tidegate's own credential; and the same object hears every connection end;
 *   <li>the ACL ({@link BrokerAuthorizer}, HiveMQ's {@code PublishAuthorizer} and
 *       {@code SubscriptionAuthorizer}), only with an ACL file;
 *   <li>per-client interceptors: {@link #initializeClients()}, the seam for a publish inbound
 *       interceptor.
 * </ol>
 *
 * HiveMQ lets every client in when no authenticator is registered, so {@link EmbeddedBroker} refuses to
 * run a broker whose extension did not start ({@link #started()}).
 */
final class BrokerExtension implements ExtensionMain {
    static final String ID = "tidegate";

    private final BrokerAccess access;
    private final BrokerLogins logins;
    private final BrokerAuthorizer authorizer;
    private volatile boolean started;

    BrokerExtension(BrokerAccess access, Clock clock) {
        this.access = access;
        BrokerRefusals refusals = new BrokerRefusals(clock);
        this.logins = new BrokerLogins(access, refusals);
        this.authorizer = new BrokerAuthorizer(access, logins, refusals);
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        // 1. Who gets in, and as whom. One authenticator and one listener for every connection.
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> logins);
        Services.eventRegistry().setClientLifecycleEventListener(providerInput -> logins);
        // 2. What they may do: only with an ACL file, so without one a publish costs no authorization task.
        if (access.hasAcl()) {
            Services.securityRegistry().setAuthorizerProvider(providerInput -> authorizer);
        }
        // 3. Per-client interceptors.
        initializeClients();
        started = true;
    }

    /**
     * SEAM: per-client interceptors, such as a publish inbound interceptor that ingests each PUBLISH
     * in-process. Register them here, in one initializer, since HiveMQ keeps one client initializer per
     * extension (a second {@code setClientInitializer} replaces the first):
     *
     * <pre>{@code
     * Services.initializerRegistry().setClientInitializer((initializerInput, clientContext) ->
     *         clientContext.addPublishInboundInterceptor(interceptor));
     * }</pre>
     *
     * What such an interceptor must know of the access rules: HiveMQ runs a client's publish inbound
     * interceptors BEFORE it asks the ACL ({@link BrokerAuthorizer#authorizePublish} runs after the last
     * interceptor finished). An interceptor that applies a message must first ask
     * {@link BrokerAuthorizer#mayPublish}, i.e.
     * {@code authorizer.mayPublish(input.getConnectionInformation(), input.getClientInformation(), topic)},
     * and leave a refused message untouched, so the broker answers it {@code 0x87 Not authorized} and
     * nothing of it is stored. Tidegate's own client (the internal credential) may publish anything, so
     * it passes that check. The initializer runs for each client after it logged in, so {@link BrokerLogins}
     * already knows as whom.
     */
    private void initializeClients() {
        // nothing yet
    }

    /**
     * The ACL's judge, whose {@link BrokerAuthorizer#mayPublish} a publish inbound interceptor asks
     * before acting on a message (it answers yes to everything without an ACL file); see
     * {@link #initializeClients()}.
     */
    BrokerAuthorizer authorizer() {
        return authorizer;
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}

    /** Whether HiveMQ ran {@link #extensionStart}: without it, its broker would let every client in. */
    boolean started() {
        return started;
    }

    /** After a reload of the files: clients whose user is gone or has another password are disconnected. */
    void disconnectRevoked() {
        logins.disconnectRevoked();
    }
}
