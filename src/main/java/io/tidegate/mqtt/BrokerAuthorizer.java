package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import io.tidegate.mqtt.access.BrokerAccess;
import io.tidegate.mqtt.access.Login;

/**
 * The embedded broker's ACL at work: HiveMQ asks it about every PUBLISH (a client's Last Will at its
 * CONNECT included) and every subscription, and it answers what {@link BrokerAccess} decides for the
 * client as {@link BrokerLogins} let it in. A refused publish is not delivered to anyone, Tidegate
 * included; an MQTT 5 client is told {@code 0x87 Not authorized} in its PUBACK (PUBREC for QoS 2), with
 * a reason string; a refused subscription gets {@code 0x87} in its SUBACK (0x80 in MQTT 3.1.1).
 * Registered only with an ACL file: without one HiveMQ lets every client that logged in do anything.
 */
final class BrokerAuthorizer implements PublishAuthorizer, SubscriptionAuthorizer {
    private final BrokerAccess access;
    private final BrokerLogins logins;
    private final BrokerRefusals refusals;

    BrokerAuthorizer(BrokerAccess access, BrokerLogins logins, BrokerRefusals refusals) {
        this.access = access;
        this.logins = logins;
        this.refusals = refusals;
    }

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
        String topic = input.getPublishPacket().getTopic();
        if (mayPublish(input.getConnectionInformation(), input.getClientInformation(), topic)) {
            output.authorizeSuccessfully();
            return;
        }
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not authorized to publish on " + topic);
        refused(input.getConnectionInformation(), input.getClientInformation(), "MQTT publish refused by the ACL",
                "topic", topic);
    }

    /**
     * Whether the ACL lets this client publish on {@code topic}. HiveMQ runs a client's publish inbound
     * interceptors before it asks {@link #authorizePublish}: an interceptor that acts on a message
     * (applies it) must ask this first and leave a refused message alone, so the broker refuses it.
     */
    boolean mayPublish(ConnectionInformation connection, ClientInformation client, String topic) {
        Login.Identity identity = logins.identityOf(connection);
        return identity != null && access.mayPublish(identity, client.getClientId(), topic);
    }

    @Override
    public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
        String filter = input.getSubscription().getTopicFilter();
        Login.Identity identity = logins.identityOf(input.getConnectionInformation());
        if (identity != null && access.maySubscribe(identity, input.getClientInformation().getClientId(), filter)) {
            output.authorizeSuccessfully();
            return;
        }
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not authorized to subscribe to " + filter);
        refused(input.getConnectionInformation(), input.getClientInformation(),
                "MQTT subscription refused by the ACL", "topic_filter", filter);
    }

    private void refused(ConnectionInformation connection, ClientInformation client, String message, String key,
            String value) {
        Login.Identity identity = logins.identityOf(connection);
        String user = identity instanceof Login.User named ? named.name() : "";
        refusals.refused("client " + client.getClientId(), message, line -> line
                .addKeyValue("client_id", client.getClientId()).addKeyValue("user", user).addKeyValue(key, value));
    }
}
