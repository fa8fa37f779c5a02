"""Ordering probes: one event per stage, scrambled priorities, before/after, name ties."""

from otopi import constants as otopicons
from otopi import plugin, util

S = plugin.Stages


@util.export
class Plugin(plugin.PluginBase):

    # one event per stage, defined in reverse stage order
    @plugin.event(stage=S.STAGE_REBOOT)
    def _s17_reboot(self):
        pass

    @plugin.event(stage=S.STAGE_TERMINATE)
    def _s16_terminate(self):
        pass

    @plugin.event(stage=S.STAGE_PRE_TERMINATE)
    def _s15_pre_terminate(self):
        pass

    @plugin.event(stage=S.STAGE_CLEANUP)
    def _s14_cleanup(self):
        pass

    @plugin.event(stage=S.STAGE_CLOSEUP)
    def _s13_closeup(self):
        pass

    @plugin.event(stage=S.STAGE_TRANSACTION_END)
    def _s12_transaction_end(self):
        pass

    @plugin.event(stage=S.STAGE_MISC)
    def _s11_misc(self):
        pass

    @plugin.event(stage=S.STAGE_PACKAGES)
    def _s10_packages(self):
        pass

    @plugin.event(stage=S.STAGE_EARLY_MISC)
    def _s09_early_misc(self):
        pass

    @plugin.event(stage=S.STAGE_TRANSACTION_BEGIN)
    def _s08_transaction_begin(self):
        pass

    @plugin.event(stage=S.STAGE_VALIDATION)
    def _s07_validation(self):
        pass

    @plugin.event(stage=S.STAGE_CUSTOMIZATION)
    def _s06_customization(self):
        pass

    @plugin.event(stage=S.STAGE_LATE_SETUP)
    def _s05_late_setup(self):
        pass

    @plugin.event(stage=S.STAGE_PROGRAMS)
    def _s04_programs(self):
        pass

    @plugin.event(stage=S.STAGE_INTERNAL_PACKAGES)
    def _s03_internal_packages(self):
        pass

    @plugin.event(stage=S.STAGE_SETUP)
    def _s02_setup(self):
        pass

    @plugin.event(stage=S.STAGE_INIT)
    def _s01_init(self):
        pass

    @plugin.event(stage=S.STAGE_BOOT)
    def _s00_boot(self):
        pass

    # priorities inside STAGE_CLOSEUP, defined scrambled; names sort against priority
    @plugin.event(stage=S.STAGE_CLOSEUP, priority=S.PRIORITY_LAST)
    def _p_a_last(self):
        pass

    @plugin.event(stage=S.STAGE_CLOSEUP, priority=S.PRIORITY_FIRST)
    def _p_e_first(self):
        pass

    @plugin.event(stage=S.STAGE_CLOSEUP, priority=S.PRIORITY_LOW)
    def _p_b_low(self):
        pass

    @plugin.event(stage=S.STAGE_CLOSEUP, priority=S.PRIORITY_HIGH)
    def _p_d_high(self):
        pass

    @plugin.event(stage=S.STAGE_CLOSEUP, priority=S.PRIORITY_MEDIUM)
    def _p_c_medium(self):
        pass

    @plugin.event(stage=S.STAGE_CLOSEUP, priority=S.PRIORITY_POST)
    def _p_b2_post(self):
        pass

    # before/after inside STAGE_EARLY_MISC (same default priority)
    @plugin.event(stage=S.STAGE_EARLY_MISC, name='dt.order.target')
    def _ba_m_target(self):
        pass

    @plugin.event(stage=S.STAGE_EARLY_MISC, before=('dt.order.target',))
    def _ba_z_before_target(self):
        pass

    @plugin.event(stage=S.STAGE_EARLY_MISC, after=('dt.order.target',))
    def _ba_a_after_target(self):
        pass

    @plugin.event(stage=S.STAGE_EARLY_MISC)
    def _ba_y_free(self):
        pass

    # across stages: after an earlier-stage event (fine), before a later-stage one (fine)
    @plugin.event(
        stage=S.STAGE_VALIDATION,
        after=(otopicons.Stages.DIALOG_CLI_CUSTOMIZATION,),
        before=('dt.order.target',),
    )
    def _x_cross_stage(self):
        pass

    # name tiebreak inside STAGE_PACKAGES, defined in reverse name order
    @plugin.event(stage=S.STAGE_PACKAGES, priority=S.PRIORITY_LOW)
    def _t_c(self):
        pass

    @plugin.event(stage=S.STAGE_PACKAGES, priority=S.PRIORITY_LOW)
    def _t_b(self):
        pass

    @plugin.event(stage=S.STAGE_PACKAGES, priority=S.PRIORITY_LOW)
    def _t_a(self):
        pass


@util.export
def createPlugins(context):
    Plugin(context=context)
