package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import io.tidegate.mqtt.access.BrokerAccess;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Tidegate's part inside the embedded HiveMQ, as an embedded extension ({@code EmbeddedBroker} hands
 * it to {@code EmbeddedHiveMQ.builder().withEmbeddedExtension}): HiveMQ starts it before its listener
 * takes the first connection, and everything Tidegate hooks into the broker is registered in
 * {@link #extensionStart}, in one place:
 *
 * <ol>
 *   <li>logins ({@link BrokerLogins}, HiveMQ's {@code SimpleAuthenticator}): the password file, the
 *       anonymous rule, Tidegate's own credential; and the same object hears every connection end;
 *   <li>the ACL ({@link BrokerAuthorizer}: a publish inbound interceptor, HiveMQ's
 *       {@code PublishAuthorizer} for Last Wills, and its {@code SubscriptionAuthorizer}), only with an ACL file;
 *   <li>per-client interceptors ({@link #initializeClients()}): the ACL's publish inbound interceptor,
 *       then the one that ingests each PUBLISH ({@link BrokerIngest});
 *   <li>the Last Wills ({@link BrokerWills}), which hear every connection end with the logins.
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
    private final PublishInboundInterceptor ingest; // null for a plain broker
    private final ClientLifecycleEventListener clients; // null for none
    private volatile boolean started;

    /**
     * @param ingest the publish inbound interceptor that ingests each PUBLISH in-process, after the ACL's;
     *     null for a plain broker
     * @param clients hears every connection's start and end besides the logins (the Last Wills); null for none
     */
    BrokerExtension(BrokerAccess access, Clock clock, PublishInboundInterceptor ingest,
            ClientLifecycleEventListener clients) {
        this.access = access;
        this.ingest = ingest;
        this.clients = clients;
        BrokerRefusals refusals = new BrokerRefusals(clock);
        this.logins = new BrokerLogins(access, refusals);
        this.authorizer = new BrokerAuthorizer(access, logins, refusals);
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        // 1. Who gets in, and as whom. One authenticator and one listener for every connection. (Services is
        // static, the last HiveMQ started in this JVM's: what a later call needs is taken now.)
        logins.useClientService(Services.clientService());
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> logins);
        // (HiveMQ keeps one listener provider per extension: the logins and the Wills hear each event in turn)
        ClientLifecycleEventListener listener = clients == null ? logins : new BothListeners(logins, clients);
        Services.eventRegistry().setClientLifecycleEventListener(providerInput -> listener);
        // 2. What they may do: only with an ACL file, so without one a publish costs no authorization task.
        if (access.hasAcl()) {
            Services.securityRegistry().setAuthorizerProvider(providerInput -> authorizer);
        }
        // 3. Per-client interceptors.
        initializeClients();
        started = true;
    }

    /**
     * Per-client interceptors, given to every client in one initializer (HiveMQ keeps one client
     * initializer per extension; a second {@code setClientInitializer} would replace the first). HiveMQ
     * runs a client's publish inbound interceptors in the order they were added, all of them before it
     * asks its {@code PublishAuthorizer}, and once one prevents a message's delivery it skips the rest.
     */
    private void initializeClients() {
        List<PublishInboundInterceptor> publishInterceptors = new ArrayList<>();
        if (access.hasAcl()) {
            // First: a publish the ACL refuses is answered here (0x87) and reaches no later interceptor.
            publishInterceptors.add(authorizer);
        }
        // Then the ingest, which sees only what the ACL lets through.
        if (ingest != null) {
            publishInterceptors.add(ingest);
        }
        if (publishInterceptors.isEmpty()) {
            return; // no initializer at all: a connection costs nothing more than without this extension
        }
        List<PublishInboundInterceptor> interceptors = List.copyOf(publishInterceptors);
        Services.initializerRegistry().setClientInitializer((initializerInput, clientContext) ->
                interceptors.forEach(clientContext::addPublishInboundInterceptor));
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
