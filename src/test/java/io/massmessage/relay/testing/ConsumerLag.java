package io.massmessage.relay.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** A consumer group's lag on one topic: records after its committed offsets, over all partitions. */
public final class ConsumerLag {

    private ConsumerLag() {}

    /** End offsets minus committed offsets (a partition without a commit counts from its start). */
    public static long of(TestBroker kafka, String group, String topic) {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(info -> latest.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest()));
            long lag = 0;
            for (var end : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                lag += end.getValue().offset() - (done == null ? 0 : done.offset());
            }
            return lag;
        } catch (Exception e) {
            throw new IllegalStateException("could not read the lag of " + group, e);
        }
    }
}
