package io.tidegate.mqtt;

import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationFailedInput;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionLostInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;

/** Two listeners to every connection's start and end, where HiveMQ takes one per extension: each event goes to both, in turn. */
record BothListeners(ClientLifecycleEventListener first, ClientLifecycleEventListener second)
        implements ClientLifecycleEventListener {
    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {
        first.onMqttConnectionStart(input);
        second.onMqttConnectionStart(input);
    }

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
        first.onAuthenticationSuccessful(input);
        second.onAuthenticationSuccessful(input);
    }

    @Override
    public void onDisconnect(DisconnectEventInput input) {
        first.onDisconnect(input);
        second.onDisconnect(input);
    }

    @Override
    public void onAuthenticationFailedDisconnect(AuthenticationFailedInput input) {
        first.onAuthenticationFailedDisconnect(input);
        second.onAuthenticationFailedDisconnect(input);
    }

    @Override
    public void onConnectionLost(ConnectionLostInput input) {
        first.onConnectionLost(input);
        second.onConnectionLost(input);
    }

    @Override
    public void onClientInitiatedDisconnect(ClientInitiatedDisconnectInput input) {
        first.onClientInitiatedDisconnect(input);
        second.onClientInitiatedDisconnect(input);
    }

    @Override
    public void onServerInitiatedDisconnect(ServerInitiatedDisconnectInput input) {
        first.onServerInitiatedDisconnect(input);
        second.onServerInitiatedDisconnect(input);
    }
}
