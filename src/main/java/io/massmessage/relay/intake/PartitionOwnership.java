package io.massmessage.relay.intake;

import io.massmessage.relay.history.AppliedUpdates;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Tells {@link PartitionLanes} and {@link PendingBounds} when a rebalance takes partitions away (or they are lost), so
 * their commands still waiting for budget are handed back instead of sent by two replicas at once, and
 * when it gives partitions, so they start counting afresh and {@link ReplayCheck} finds which of the
 * records to replay an earlier owner already answered.
 * Named by {@code mp.messaging.incoming.commands.consumer-rebalance-listener.name}.
 */
@ApplicationScoped
@Identifier(PartitionOwnership.NAME)
public class PartitionOwnership implements KafkaConsumerRebalanceListener {

    public static final String NAME = "relay-partition-ownership";

    private static final Logger LOG = Logger.getLogger(PartitionOwnership.class);

    private final PartitionLanes lanes;
    private final PendingBounds bounds;
    private final ReplayCheck replays;
    private final AppliedUpdates applied;

    public PartitionOwnership(PartitionLanes lanes, PendingBounds bounds, ReplayCheck replays, AppliedUpdates applied) {
        this.lanes = lanes;
        this.bounds = bounds;
        this.replays = replays;
        this.applied = applied;
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            LOG.infof("partitions revoked: %s; their unfinished commands are handed back", partitions);
            bounds.revoked(partitions);
            lanes.revoked(partitions);
            replays.revoked(partitions);
            applied.revoked(partitions);
        }
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            LOG.infof("partitions assigned: %s", partitions);
            // before any of their records is polled: which of the records to replay were answered already
            replays.assigned(consumer, partitions);
            applied.assigned(partitions);
        }
        bounds.assigned(consumer.assignment().size());
        lanes.assigned(partitions);
    }
}
