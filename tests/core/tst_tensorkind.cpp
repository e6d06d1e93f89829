// SPDX-License-Identifier: MIT
#include "core/recipe/TensorKind.h"

#include <QTest>

using namespace bitlens;

Q_DECLARE_METATYPE(bitlens::TensorKind)
Q_DECLARE_METATYPE(bitlens::TensorRole)

class TestTensorKind : public QObject {
    Q_OBJECT
private slots:
    void classifies_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<TensorKind>("kind");
        QTest::addColumn<TensorRole>("role");
        QTest::addColumn<int>("block"); // -1: none
        const auto row = [](const char* name, TensorKind kind, TensorRole role, int block) {
            QTest::newRow(name) << QString(name) << kind << role << block;
        };
        using K = TensorKind;
        using R = TensorRole;
        // GGUF and llama2.c as this project reads them.
        row("token_embd.weight", K::Embedding, R::None, -1);
        row("blk.3.attn_q.weight", K::Attention, R::AttentionQ, 3);
        row("blk.3.attn_k.weight", K::Attention, R::AttentionK, 3);
        row("blk.12.attn_v.weight", K::Attention, R::AttentionV, 12);
        row("blk.0.attn_qkv.weight", K::Attention, R::AttentionQkv, 0);
        row("blk.3.attn_output.weight", K::Attention, R::AttentionOutput, 3);
        row("blk.3.attn_norm.weight", K::Norm, R::None, 3);
        row("blk.3.ffn_gate.weight", K::Mlp, R::MlpGate, 3);
        row("blk.3.ffn_up.weight", K::Mlp, R::MlpUp, 3);
        row("blk.3.ffn_down.weight", K::Mlp, R::MlpDown, 3);
        row("blk.7.ffn_down_exps.weight", K::Mlp, R::MlpDown, 7);
        row("blk.3.ffn_norm.weight", K::Norm, R::None, 3);
        row("output_norm.weight", K::Norm, R::None, -1);
        row("output.weight", K::Output, R::None, -1);
        row("rope_freqs.weight", K::Other, R::None, -1);
        // Meta's llama names (llama2.c's export script).
        row("tok_embeddings.weight", K::Embedding, R::None, -1);
        row("layers.3.attention.wq.weight", K::Attention, R::AttentionQ, 3);
        row("layers.3.attention.wv.weight", K::Attention, R::AttentionV, 3);
        row("layers.3.attention_norm.weight", K::Norm, R::None, 3);
        row("layers.3.feed_forward.w2.weight", K::Mlp, R::MlpDown, 3);
        row("layers.3.feed_forward.w3.weight", K::Mlp, R::MlpUp, 3);
        row("norm.weight", K::Norm, R::None, -1);
        // Hugging Face llama.
        row("model.embed_tokens.weight", K::Embedding, R::None, -1);
        row("model.layers.3.self_attn.q_proj.weight", K::Attention, R::AttentionQ, 3);
        row("model.layers.3.self_attn.v_proj.weight", K::Attention, R::AttentionV, 3);
        row("model.layers.31.self_attn.o_proj.weight", K::Attention, R::AttentionOutput, 31);
        row("model.layers.3.mlp.gate_proj.weight", K::Mlp, R::MlpGate, 3);
        row("model.layers.3.mlp.down_proj.weight", K::Mlp, R::MlpDown, 3);
        row("model.layers.3.input_layernorm.weight", K::Norm, R::None, 3);
        row("model.layers.3.post_attention_layernorm.weight", K::Norm, R::None, 3);
        row("model.norm.weight", K::Norm, R::None, -1);
        row("lm_head.weight", K::Output, R::None, -1);
        // Keras: the layer type word decides; its "_N" counter is not a block.
        row("dense/dense/kernel:0", K::Mlp, R::None, -1);
        row("dense_1/dense_1/bias:0", K::Mlp, R::None, -1);
        row("conv2d_1/conv2d_1/kernel:0", K::Other, R::None, -1);
        row("batch_normalization/batch_normalization/gamma:0", K::Norm, R::None, -1);
        row("embedding/embeddings:0", K::Embedding, R::None, -1);
        row("multi_head_attention/query/kernel:0", K::Attention, R::AttentionQ, -1);
        // Letters that only mean something under attention / feed_forward.
        row("encoder.w1", K::Other, R::None, -1);
        row("", K::Other, R::None, -1);
    }
    void classifies() {
        QFETCH(QString, name);
        QFETCH(TensorKind, kind);
        QFETCH(TensorRole, role);
        QFETCH(int, block);
        const TensorClass result = classifyTensor(name.toStdString());
        QCOMPARE(tensorKindName(result.kind), tensorKindName(kind));
        QCOMPARE(int(result.role), int(role));
        QCOMPARE(result.block ? int(*result.block) : -1, block);
    }

    void kindNamesRoundTrip() {
        for (TensorKind kind : {TensorKind::Embedding, TensorKind::Attention, TensorKind::Mlp,
                                TensorKind::Norm, TensorKind::Output, TensorKind::Other})
            QCOMPARE(tensorKindFromName(tensorKindName(kind)), std::optional<TensorKind>(kind));
        QCOMPARE(tensorKindName(TensorKind::Mlp), std::string_view("mlp"));
        QVERIFY(!tensorKindFromName("ffn"));
    }
};

QTEST_GUILESS_MAIN(TestTensorKind)
#include "tst_tensorkind.moc"
