package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import io.tidegate.mqtt.access.BrokerAccess;
import io.tidegate.mqtt.access.Login;

/**
 * The embedded broker's ACL at work, answering what {@link BrokerAccess} decides for each client as
 * {@link BrokerLogins} let it in, at three of HiveMQ's hooks:
 *
 * <ul>
 *   <li>a PUBLISH, first as the client's first publish inbound interceptor ({@link #onInboundPublish}):
 *       a refused one goes no further, to no later interceptor and to no subscriber (Tidegate included);
 *       an MQTT 5 client gets {@code 0x87 Not authorized} in its PUBACK (PUBREC for QoS 2) with a reason
 *       string, an MQTT 3.1.1 client a plain PUBACK, and both stay connected, as with Mosquitto. (HiveMQ's
 *       own answer to a publish its authorizer refuses is to disconnect the client, which then publishes
 *       its Last Will: a device that once published where it may not would delete its own group.)
 *   <li>a PUBLISH again, as HiveMQ's {@link PublishAuthorizer}: for a client's Last Will, checked at its
 *       CONNECT (a Will where the client may not publish refuses the CONNECT, 0x87), and as a second guard
 *       behind the interceptor;
 *   <li>a subscription ({@link SubscriptionAuthorizer}): a refused one gets {@code 0x87} in its SUBACK
 *       ({@code 0x80} in MQTT 3.1.1).
 * </ul>
 *
 * Registered only with an ACL file: without one HiveMQ lets every client that logged in do anything.
 */
final class BrokerAuthorizer implements PublishInboundInterceptor, PublishAuthorizer, SubscriptionAuthorizer {
    private final BrokerAccess access;
    private final BrokerLogins logins;
    private final BrokerRefusals refusals;

    BrokerAuthorizer(BrokerAccess access, BrokerLogins logins, BrokerRefusals refusals) {
        this.access = access;
        this.logins = logins;
        this.refusals = refusals;
    }

    @Override
    public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
        String topic = input.getPublishPacket().getTopic();
        if (mayPublish(input.getConnectionInformation(), input.getClientInformation(), topic)) {
            return;
        }
        if (input.getConnectionInformation().getMqttVersion() == MqttVersion.V_5) {
            output.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "not authorized to publish on " + topic);
        } else {
            // MQTT 3.1.1 cannot say "refused" in a PUBACK; any reason but success makes HiveMQ drop the client
            output.preventPublishDelivery(AckReasonCode.SUCCESS);
        }
        publishRefused(input.getConnectionInformation(), input.getClientInformation(), topic);
    }

    @Override
    public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
        String topic = input.getPublishPacket().getTopic();
        if (mayPublish(input.getConnectionInformation(), input.getClientInformation(), topic)) {
            output.authorizeSuccessfully();
            return;
        }
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not authorized to publish on " + topic);
        publishRefused(input.getConnectionInformation(), input.getClientInformation(), topic);
    }

    private void publishRefused(ConnectionInformation connection, ClientInformation client, String topic) {
        refused(connection, client, "MQTT publish refused by the ACL", "topic", topic);
    }

    /**
     * Whether the ACL lets this client publish on {@code topic}: what {@link #onInboundPublish} and
     * {@link #authorizePublish} ask, and what any code that acts on a client's PUBLISH before HiveMQ's
     * authorizer (a publish inbound interceptor) must ask too, unless it comes after this one's.
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
